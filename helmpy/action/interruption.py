"""What an interrupted install/upgrade/rollback leaves behind: a failed revision and one line saying how to recover.

Ctrl-C (and SIGTERM, which the CLI raises as :class:`~helmpy.errors.Terminated`) can arrive at any point after the
pending revision was written. :func:`recorded_on_interrupt` wraps that part of an operation: it records the
revision as ``failed`` with a description saying it was interrupted (never left ``pending-*``), and raises an
:class:`~helmpy.errors.Interrupted` whose message names the recovery that works for this operation: for a first
install ``uninstall`` or ``upgrade --install`` (a rollback has nothing to go back to), for an upgrade a rollback
to the last good revision. The caller's ``ReleaseLock`` then releases the lock on the way out.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from helmpy.action.config import Configuration
from helmpy.errors import HelmpyError, Terminated, interrupted_error
from helmpy.release.model import Release, Status

logger = logging.getLogger(__name__)


def _ns_flag(cfg: Configuration) -> str:
    return f" -n {cfg.namespace}" if cfg.namespace != "default" else ""


def install_advice(cfg: Configuration, name: str, chart_ref: str) -> str:
    """Recovery after a first install: nothing to roll back to."""
    from helmpy.redact import redact_url

    ns = _ns_flag(cfg)
    return (f"remove it with `helmpy uninstall {name}{ns}`, or install again with "
            f"`helmpy upgrade --install {name} {redact_url(chart_ref)}{ns}`")


def upgrade_advice(cfg: Configuration, name: str, good: Release | None) -> str:
    """Recovery after an upgrade: roll back to the last good revision (or run the upgrade again)."""
    ns = _ns_flag(cfg)
    if good is None:
        return "run the upgrade again"
    return (f"revision {good.version} is the last good one: return to it with `helmpy rollback {name} "
            f"{good.version}{ns}`, or run the upgrade again")


def rollback_advice(cfg: Configuration, name: str, target: int) -> str:
    return f"run `helmpy rollback {name} {target}{_ns_flag(cfg)}` again"


def _stored(cfg: Configuration, rel: Release) -> Release | None:
    try:
        return cfg.storage.get(rel.name, rel.version)
    except Exception:  # noqa: BLE001 - cleanup after an interrupt must not fail on its own
        return None


def record_interrupted(cfg: Configuration, rel: Release, exc: KeyboardInterrupt, operation: str,
                       advice: str) -> HelmpyError:
    """Mark ``rel`` failed if it is still pending, and return the error to raise (message with the recovery)."""
    from helmpy.action.install import fail

    stored = _stored(cfg, rel)
    where = f"release \"{rel.name}\" revision {rel.version}"
    if stored is None:
        return interrupted_error(exc, f"{where} is not recorded, nothing to recover; run the {operation} again")
    if not stored.info.status.is_pending:  # it finished (or failed) before the signal arrived
        return interrupted_error(exc, f"{where} is recorded as {stored.info.status}")
    by = "SIGTERM" if isinstance(exc, Terminated) else "Ctrl-C (SIGINT)"
    fail(cfg, rel, f"{operation.capitalize()} \"{rel.name}\" interrupted by {by} before it finished")
    logger.debug("recorded interrupted revision release=%s revision=%d", rel.name, rel.version)
    recorded = _stored(cfg, rel)
    status = recorded.info.status if recorded is not None else Status.UNKNOWN
    if status != Status.FAILED:  # the record could not be written: the next operation recovers it
        return interrupted_error(exc, f"{where} is left {status} (it could not be marked failed; the next "
                                      f"upgrade or rollback marks it failed); {advice}")
    return interrupted_error(exc, f"{where} is recorded as failed; {advice}")


@contextmanager
def recorded_on_interrupt(cfg: Configuration, rel: Release, operation: str, advice: str) -> Iterator[None]:
    """Ctrl-C/SIGTERM in the body: the revision is recorded as failed and an Interrupted error raised."""
    try:
        yield
    except KeyboardInterrupt as exc:
        raise record_interrupted(cfg, rel, exc, operation, advice) from exc
