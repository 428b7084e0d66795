"""``helmpy diff``: what an upgrade, rollback or another revision would change, and drift from a release.

Pure code, no cluster: ``model`` (the report and its JSON schema), ``compute`` (clean objects of server-set
noise, line diffs with context), ``mask`` (Secret values), ``render`` (the helm-diff-style text formats) and
``drift`` (a release's fields against the live object, with the field manager that changed them). The use
cases that read the cluster and the release records are in ``helmpy/action/diff.py``.
"""
