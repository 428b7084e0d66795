"""Running a release's hooks for one event (Helm's ``execHook``): weight order, delete policies, ``last_run``.

Hooks are created as they are (no ownership stamp, not part of the manifest) and waited for until ready
(Jobs complete, Pods succeed); each run is recorded on the stored release so ``status`` shows it.

helmpy's embedded cluster runs no containers: a hook Pod or Job it "completes" says so in its status
(:func:`helmpy.kube.controllers.pods.simulated`). :func:`run_hooks` returns those hooks so that callers never
report them as passed: ``helmpy test`` refuses them unless told otherwise, installs say so in the revision's
description (:func:`describe`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from helmpy.action.apply import with_namespace
from helmpy.errors import HelmpyError, HookFailed, KubeError, ReleaseError
from helmpy.release.model import Hook, HookRun, Release

logger = logging.getLogger(__name__)

BEFORE_HOOK_CREATION = "before-hook-creation"
HOOK_SUCCEEDED = "hook-succeeded"
HOOK_FAILED = "hook-failed"
#: Appended to a revision's description when one of its hooks completed by simulation.
SIMULATED_NOTE = "hooks simulated: no container ran"


def from_rendered(docs: list[Any]) -> list[Hook]:
    """Turn the engine's HookDoc list into release Hooks."""
    hooks = []
    for d in docs:
        if isinstance(d, Hook):
            hooks.append(d)
            continue
        hooks.append(Hook(name=d.name, kind=d.kind, path=d.path, manifest=d.manifest.rstrip("\n"),
                          events=list(d.events), weight=int(d.weight or 0),
                          delete_policies=list(d.delete_policies or []),
                          output_log_policies=list(getattr(d, "output_log_policies", None) or [])))
    return hooks


def hooks_for(release: Release, event: str) -> list[Hook]:
    """Hooks of an event, stable-sorted by weight then name."""
    return sorted((h for h in release.hooks if event in h.events), key=lambda h: (h.weight, h.name))


def _policies(hook: Hook) -> list[str]:
    return hook.delete_policies or [BEFORE_HOOK_CREATION]


def _object(hook: Hook, kube: Any, namespace: str) -> dict[str, Any]:
    from helmpy import yamlutil

    doc = yamlutil.load(hook.manifest, hook.path, exc=ReleaseError)
    if not isinstance(doc, dict):
        raise HookFailed(f"hook {hook.path}: manifest is not an object")
    return with_namespace(doc, kube, namespace)


def _delete(kube: Any, obj: dict[str, Any]) -> None:
    if obj.get("kind") == "CustomResourceDefinition":  # CRD hooks are never deleted
        return
    meta = obj.get("metadata") or {}
    kube.delete(str(obj.get("apiVersion")), str(obj.get("kind")), meta.get("name", ""), meta.get("namespace"))


def run_hooks(kube: Any, release: Release, event: str, timeout: float, *, clock: Callable[[], Any],
              record: Callable[[Release], None] | None = None, selected: Callable[[Hook], bool] | None = None,
              simulated_phase: str = "Succeeded") -> list[Hook]:
    """Run every ``event`` hook; HookFailed names the failing hook's path. Returns the simulated hooks.

    ``record`` persists the release after each state change so ``last_run`` survives a crash. A hook whose
    Pod/Job completed only by the embedded cluster's simulation is recorded with ``simulated_phase``.
    """
    from helmpy.kube.controllers.pods import simulated

    executed: list[tuple[Hook, dict[str, Any]]] = []
    faked: list[Hook] = []
    for hook in hooks_for(release, event):
        if selected is not None and not selected(hook):
            continue
        obj = _object(hook, kube, release.namespace)
        if BEFORE_HOOK_CREATION in _policies(hook):
            _delete(kube, obj)
        hook.last_run = HookRun(started_at=clock(), phase="Running")
        if record:
            record(release)
        logger.debug("hook start release=%s event=%s path=%s weight=%d", release.name, event, hook.path, hook.weight)
        try:
            kube.create(obj)
            kube.wait_ready([obj], timeout)
            meta = obj.get("metadata") or {}
            was_simulated = simulated(kube.get(str(obj.get("apiVersion")), str(obj.get("kind")),
                                               meta.get("name", ""), meta.get("namespace")))
        except HelmpyError as err:
            hook.last_run.completed_at = clock()
            hook.last_run.phase = "Failed"
            if record:
                record(release)
            if HOOK_FAILED in _policies(hook):
                _safe_delete(kube, obj)
            for done, done_obj in executed:
                if HOOK_SUCCEEDED in _policies(done):
                    _safe_delete(kube, done_obj)
            raise HookFailed(f"{event} hook {hook.path} ({hook.kind}/{hook.name}) failed: {err}") from err
        hook.last_run.completed_at = clock()
        hook.last_run.phase = simulated_phase if was_simulated else "Succeeded"
        if was_simulated:
            logger.debug("hook simulated release=%s event=%s path=%s", release.name, event, hook.path)
            faked.append(hook)
        if record:
            record(release)
        executed.append((hook, obj))
    for hook, obj in reversed(executed):
        if HOOK_SUCCEEDED in _policies(hook):
            _safe_delete(kube, obj)
    return faked


def describe(description: str, simulated: list[Hook]) -> str:
    """A revision's description, noting when hooks completed by simulation (``Install complete (hooks ...)``)."""
    return f"{description} ({SIMULATED_NOTE})" if simulated and SIMULATED_NOTE not in description else description


def _safe_delete(kube: Any, obj: dict[str, Any]) -> None:
    try:
        _delete(kube, obj)
    except KubeError as err:
        logger.warning("could not delete hook %s/%s: %s", obj.get("kind"), (obj.get("metadata") or {}).get("name"),
                       err)
