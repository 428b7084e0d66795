"""OCI registries: Helm's chart format on the OCI distribution API v2 (``oci://`` references, push, login).

``reference`` parses what users type, ``chartformat`` builds and checks Helm's manifests (pure),
``credentials`` reads and writes the Docker-format ``config.json``, ``auth`` answers the registry's
``WWW-Authenticate`` challenges, ``client`` speaks the distribution API over the repository getter's
HTTP session, and ``push``/``pull`` are the two transfers.
"""
