"""PersistentVolumeClaim -> a bound PersistentVolume of the default StorageClass (a local-path provisioner).

The cluster starts with one StorageClass, :data:`DEFAULT_CLASS` (default, ``rancher.io/local-path`` as in
kind, reclaim ``Delete``, binding ``Immediate``). A new claim without ``storageClassName`` gets it (the
DefaultStorageClass admission plugin); a claim of an existing class is bound at once to a new volume
``pvc-<uid>`` of the requested size (``spec.volumeName``, the bind annotations, ``status.phase: Bound``);
a claim naming a class that does not exist stays Pending, as it would on a real cluster. Deleting the claim
deletes its volume (reclaim policy Delete). No storage exists: the volume's ``hostPath`` is only a name.
"""

from __future__ import annotations

from typing import Any

from helmpy.kube.client import KubeObject
from helmpy.kube.controllers import Store

DEFAULT_CLASS = "standard"
PROVISIONER = "rancher.io/local-path"
STORAGE_CLASS: KubeObject = {
    "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
    "metadata": {"name": DEFAULT_CLASS, "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
    "provisioner": PROVISIONER, "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate"}


def claim(store: Store, obj: KubeObject, old: KubeObject | None) -> None:
    spec: dict[str, Any] = obj["spec"] if isinstance(obj.get("spec"), dict) else obj.setdefault("spec", {})
    if old is not None and (old.get("status") or {}).get("phase") == "Bound":
        obj["status"] = dict(old["status"])
        return
    if old is None and "storageClassName" not in spec:
        spec["storageClassName"] = DEFAULT_CLASS
    class_name = spec.get("storageClassName")
    meta = obj["metadata"]
    if not class_name or store.load(store.kind("storage.k8s.io/v1", "StorageClass"), "", str(class_name)) is None:
        obj["status"] = {"phase": "Pending"}
        return
    volume = f"pvc-{meta['uid']}"
    access = spec.get("accessModes") or ["ReadWriteOnce"]
    size = ((spec.get("resources") or {}).get("requests") or {}).get("storage", "1Gi")
    store.save(store.kind("v1", "PersistentVolume"), {
        "apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": volume, "annotations": {"pv.kubernetes.io/provisioned-by": PROVISIONER}},
        "spec": {"accessModes": list(access), "capacity": {"storage": size},
                 "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": meta["name"],
                              "namespace": meta["namespace"], "uid": meta["uid"]},
                 "hostPath": {"path": f"/var/local-path-provisioner/{volume}_{meta['namespace']}_{meta['name']}",
                              "type": "DirectoryOrCreate"},
                 "persistentVolumeReclaimPolicy": "Delete", "storageClassName": class_name,
                 "volumeMode": spec.get("volumeMode", "Filesystem")},
        "status": {"phase": "Bound"}})
    spec["volumeName"] = volume
    meta.setdefault("annotations", {}).update({
        "pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes",
        "volume.beta.kubernetes.io/storage-provisioner": PROVISIONER,
        "volume.kubernetes.io/storage-provisioner": PROVISIONER})
    obj["status"] = {"phase": "Bound", "accessModes": list(access), "capacity": {"storage": size}}


def released(store: Store, obj: KubeObject) -> None:
    """The claim is gone: its dynamically provisioned volume is deleted (reclaim policy Delete)."""
    pv_type = store.kind("v1", "PersistentVolume")
    name = (obj.get("spec") or {}).get("volumeName")
    live = store.load(pv_type, "", str(name)) if name else None
    if live is not None and ((live.get("spec") or {}).get("claimRef") or {}).get("uid") == obj["metadata"].get("uid") \
            and (live.get("spec") or {}).get("persistentVolumeReclaimPolicy") == "Delete":
        store.drop(pv_type, live)
