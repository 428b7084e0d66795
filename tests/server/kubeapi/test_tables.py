"""``as=Table`` columns: the API server's for built-in kinds, a CRD's additionalPrinterColumns for custom ones."""

from __future__ import annotations

from helmpy.server.kubeapi.tables import jsonpath, printer_columns, table


def _headers(doc: dict) -> list[str]:
    return [c["name"] for c in doc["columnDefinitions"] if c["priority"] == 0]


def _row(doc: dict) -> dict:
    return dict(zip([c["name"] for c in doc["columnDefinitions"]], doc["rows"][0]["cells"], strict=True))


def test_builtin_kinds_have_kubectls_columns():
    svc = {"kind": "Service", "metadata": {"name": "web"}, "spec": {
        "type": "LoadBalancer", "clusterIP": "10.0.0.1", "ports": [{"port": 80, "nodePort": 30080}], "selector": {"a": "b"}}}
    doc = table([svc], "1", None)
    assert _headers(doc) == ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age"]
    assert _row(doc) == {"Name": "web", "Type": "LoadBalancer", "Cluster-IP": "10.0.0.1", "External-IP": "<pending>",
                         "Port(s)": "80:30080/TCP", "Age": "<unknown>", "Selector": "a=b"}
    pod = {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}, {"name": "b"}]},
           "status": {"phase": "Running", "containerStatuses": [{"ready": True, "restartCount": 2},
                                                                 {"ready": False, "restartCount": 1}]}}
    assert _row(table([pod], "1", None))["Ready"] == "1/2"
    assert _row(table([pod], "1", None))["Restarts"] == "3"
    job = {"kind": "Job", "metadata": {"name": "j"}, "spec": {"completions": 2}, "status": {
        "succeeded": 1, "conditions": [{"type": "Failed", "status": "True"}]}}
    assert _row(table([job], "1", None))["Status"] == "Failed" and _row(table([job], "1", None))["Completions"] == "1/2"
    assert _headers(table([], "1", None, "ReplicaSet")) == ["Name", "Desired", "Current", "Ready", "Age"]
    assert _headers(table([], "1", None, "CustomResourceDefinition")) == ["Name", "Created At"]
    wide = [c["name"] for c in table([], "1", None, "Deployment")["columnDefinitions"]]
    assert wide == ["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"]


def test_crd_printer_columns_and_jsonpath():
    version = {"name": "v1", "additionalPrinterColumns": [
        {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
        {"name": "Ready", "type": "string", "jsonPath": '.status.conditions[?(@.type=="Ready")].status'},
        {"name": "Owner", "type": "string", "jsonPath": ".spec.owners[0]", "priority": 1}]}
    obj = {"kind": "Gadget", "metadata": {"name": "g"}, "spec": {"size": 3, "owners": ["ann", "bo"]},
           "status": {"conditions": [{"type": "Synced", "status": "False"}, {"type": "Ready", "status": "True"}]}}
    doc = table([obj], "1", None, "Gadget", printer_columns(version))
    assert _headers(doc) == ["Name", "Size", "Ready", "Age"]
    assert _row(doc) == {"Name": "g", "Size": 3, "Ready": "True", "Owner": "ann", "Age": "<unknown>"}
    assert _row(table([{"metadata": {"name": "bare"}}], "1", None, "Gadget", printer_columns(version)))["Size"] == ""
    assert jsonpath(obj, "{.spec.owners[*]}") == "ann,bo" and jsonpath(obj, ".spec.nope") is None
    assert jsonpath(obj, ".spec..bad") is None
