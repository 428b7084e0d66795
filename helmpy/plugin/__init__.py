"""Helm plugins: plugin.yaml (Helm 3's legacy form and Helm 4's ``apiVersion: v1``), discovery, the plugin
environment, running CLI plugins and hooks, installing/updating/uninstalling, and ``downloaders:``.

One module per responsibility: :mod:`manifest` (parse and validate plugin.yaml), :mod:`loader` (find plugins
in the plugin directories), :mod:`command` (pick the platform command, expand ``$VARS``), :mod:`environment`
(the ``HELM_*`` variables a plugin sees), :mod:`runner` (run a plugin or a hook), :mod:`installer`
(install, update, uninstall), :mod:`archive` (unpack a plugin tarball safely) and :mod:`getter` (fetch a URL
through a downloader plugin).
"""
