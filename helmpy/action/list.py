"""``helmpy list``: the latest revision of every release, filtered and sorted like Helm 4's ``action.List``."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from helmpy.action.config import Configuration
from helmpy.errors import KubeError, UsageError
from helmpy.kube.selector import parse_selector, selector_matches
from helmpy.release.model import Release, Status

logger = logging.getLogger(__name__)

PENDING = {Status.PENDING_INSTALL, Status.PENDING_UPGRADE, Status.PENDING_ROLLBACK}


@dataclass
class ListOptions:
    """Flags of ``helmpy list``; no status flag selects every status (Helm 4)."""

    all_namespaces: bool = False
    states: set[Status] = field(default_factory=set)
    filter: str = ""
    selector: str = ""  # label selector over the releases' custom labels (``-l``)
    by_date: bool = False
    reverse: bool = False
    max: int = 256
    offset: int = 0


def run(cfg: Configuration, opts: ListOptions) -> list[Release]:
    """The releases to show; each holds what ``list`` shows (``Driver.summaries``), not the whole record."""
    storage = cfg.all_namespaces_storage() if opts.all_namespaces else cfg.storage
    try:
        pattern = re.compile(opts.filter) if opts.filter else None
    except re.error as err:
        raise UsageError(f"invalid --filter regular expression {opts.filter!r}: {err}") from err
    try:
        requirements = parse_selector(opts.selector)
    except KubeError as err:
        raise UsageError(f"invalid --selector: {err.message}") from err
    releases = storage.summaries()  # only what a list shows is decoded (and cached by the Secret driver)
    only_superseded = opts.states == {Status.SUPERSEDED}
    if not only_superseded:
        latest: dict[tuple[str, str], Release] = {}
        for r in releases:
            key = (r.namespace, r.name)
            if key not in latest or r.version > latest[key].version:
                latest[key] = r
        releases = list(latest.values())
    if opts.states:
        releases = [r for r in releases if r.info.status in opts.states]
    if pattern is not None:
        releases = [r for r in releases if pattern.search(r.name)]
    if requirements:
        releases = [r for r in releases if selector_matches(requirements, r.labels)]
    if opts.by_date:
        releases.sort(key=lambda r: r.name)
        releases.sort(key=lambda r: int(r.info.last_deployed.timestamp()) if r.info.last_deployed else 0,
                      reverse=opts.reverse)
    else:
        releases.sort(key=lambda r: (r.name, r.namespace), reverse=opts.reverse)
    if opts.offset:
        releases = releases[opts.offset:]
    if opts.max > 0:
        releases = releases[:opts.max]
    return releases
