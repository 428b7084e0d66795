"""SemVer versions and constraints with the semantics of Masterminds/semver v3 (what Helm uses).

Versions are parsed leniently (``v1.2`` is 1.2.0); constraints support ``=, !=, >, <, >=, <=, ~,
^``, wildcards (``1.2.x``, ``*``), hyphen ranges, ``,``/space for AND and ``||`` for OR. A constraint
whose AND group names no pre-release never matches a pre-release version (charts write ``>=1.20.0-0``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from helmpy.lazyre import LazyPattern

# Masterminds semver v3's NewVersion (what Helm uses): leading zeros allowed in the numbers ("01.2.3"),
# not in numeric pre-release identifiers ("1.2.3-01" is invalid).
_PRE_ID = r"(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)"
_VERSION_RE = LazyPattern(
    r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?"
    rf"(?:-({_PRE_ID}(?:\.{_PRE_ID})*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)


@functools.total_ordering
@dataclass(frozen=True)
class Version:
    """A parsed version; ordering is SemVer precedence (build metadata ignored)."""

    major: int
    minor: int
    patch: int
    prerelease: str = ""
    build: str = ""
    original: str = ""

    def _pre_key(self) -> tuple[int, tuple[tuple[int, int | str], ...]]:
        if not self.prerelease:
            return (1, ())
        parts: list[tuple[int, int | str]] = []
        for p in self.prerelease.split("."):
            parts.append((0, int(p)) if p.isdigit() else (1, p))
        return (0, tuple(parts))

    def key(self) -> tuple[object, ...]:
        return (self.major, self.minor, self.patch, self._pre_key())

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self.key() < other.key()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())

    def __str__(self) -> str:
        s = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            s += f"-{self.prerelease}"
        if self.build:
            s += f"+{self.build}"
        return s


@functools.lru_cache(maxsize=65536)
def parse_version(text: str) -> Version:
    """Parse leniently; raise ValueError when it is not a version."""
    m = _VERSION_RE.match(text.strip())
    if not m:
        raise ValueError(f"invalid semantic version {text!r}")
    major, minor, patch, pre, build = m.groups()
    return Version(int(major), int(minor or 0), int(patch or 0), pre or "", build or "", text)


def try_parse(text: str) -> Version | None:
    try:
        return parse_version(text)
    except ValueError:
        return None


_WILD = ("x", "X", "*")
_CONSTRAINT_RE = LazyPattern(
    r"^\s*(=|!=|>=|=>|<=|=<|>|<|~>|~|\^)?\s*"
    r"(v?(?:[0-9]+|[xX*])(?:\.(?:[0-9]+|[xX*]))?(?:\.(?:[0-9]+|[xX*]))?"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)\s*$"
)

Check = Callable[[Version], bool]


@dataclass
class _Bound:
    op: str
    version: Version
    has_pre: bool
    wild_minor: bool
    wild_patch: bool
    wild_major: bool


def _parse_term(op: str, text: str) -> list[_Bound]:
    raw = text[1:] if text.startswith("v") else text
    core, _, _build = raw.partition("+")
    core, _, pre = core.partition("-")
    parts = core.split(".")
    while len(parts) < 3:
        parts.append("x")  # Masterminds: a missing minor/patch is a wildcard for every operator
    wild_major = parts[0] in _WILD
    wild_minor = wild_major or parts[1] in _WILD
    wild_patch = wild_minor or parts[2] in _WILD
    nums = [0 if p in _WILD else int(p) for p in parts]
    ver = Version(nums[0], nums[1], nums[2], pre)
    return [_Bound(op or "=", ver, bool(pre), wild_minor, wild_patch, wild_major)]


def _check(b: _Bound) -> Check:  # noqa: C901 - one branch per Masterminds operator and wildcard, as its table reads
    v0 = b.version
    op = b.op
    if op in ("=",):
        if b.wild_major:
            return lambda v: True
        if b.wild_minor:
            return lambda v: v.major == v0.major
        if b.wild_patch:
            return lambda v: v.major == v0.major and v.minor == v0.minor
        return lambda v: v == v0
    if op == "!=":
        if b.wild_major:
            return lambda v: False
        if b.wild_minor:
            return lambda v: v.major != v0.major
        if b.wild_patch:
            return lambda v: not (v.major == v0.major and v.minor == v0.minor)
        return lambda v: v != v0
    if op == ">":
        if b.wild_minor:
            return lambda v: v.major > v0.major
        if b.wild_patch:
            return lambda v: (v.major, v.minor) > (v0.major, v0.minor)
        return lambda v: v > v0
    if op in (">=", "=>"):
        return lambda v: v >= v0
    if op == "<":
        return lambda v: v < v0
    if op in ("<=", "=<"):
        if b.wild_minor:
            return lambda v: v.major <= v0.major
        if b.wild_patch:
            return lambda v: (v.major, v.minor) <= (v0.major, v0.minor)
        return lambda v: v <= v0
    if op in ("~", "~>"):
        if b.wild_major:
            return lambda v: True
        if b.wild_minor:
            return lambda v: v >= v0 and v.major == v0.major
        return lambda v: v >= v0 and v.major == v0.major and v.minor == v0.minor
    if op == "^":
        if b.wild_major:
            return lambda v: True
        if v0.major > 0 or b.wild_minor:
            return lambda v: v >= v0 and v.major == v0.major
        if v0.minor > 0 or b.wild_patch:
            return lambda v: v >= v0 and v.major == 0 and v.minor == v0.minor
        return lambda v: v >= v0 and v.major == 0 and v.minor == 0 and v.patch == v0.patch
    raise ValueError(f"unknown operator {op!r}")


@dataclass
class Constraint:
    """An OR of AND-groups of version checks."""

    text: str
    groups: list[list[tuple[_Bound, Check]]]

    def check(self, version: Version | str) -> bool:
        v = parse_version(version) if isinstance(version, str) else version
        for group in self.groups:
            # a pre-release version is considered by an AND group only when one of its terms names a
            # pre-release (">=1.2.0-0 <1.3.0" admits 1.2.5-rc.1), as Masterminds semver v3.3+ does
            if v.prerelease and not any(bound.has_pre for bound, _fn in group):
                continue
            ok = True
            for _bound, fn in group:
                if not fn(v):
                    ok = False
                    break
            if ok:
                return True
        return False

    def __str__(self) -> str:
        return self.text


_HYPHEN_RE = LazyPattern(r"\s*(\S+)\s+-\s+(\S+)\s*")


@functools.lru_cache(maxsize=4096)
def parse_constraint(text: str) -> Constraint:
    """Parse a Masterminds constraint; raise ValueError naming the bad part."""
    if not text.strip():
        text = "*"
    groups: list[list[tuple[_Bound, Check]]] = []
    for alt in text.split("||"):
        alt = _HYPHEN_RE.sub(lambda m: f">= {m.group(1)}, <= {m.group(2)}", alt)
        tokens = [t for t in re.split(r"\s*,\s*|\s+(?=[=!<>~^v0-9xX*])", alt.strip()) if t.strip()]
        # re-join operators separated from versions by spaces ("> 1.2")
        merged: list[str] = []
        for t in tokens:
            if merged and re.fullmatch(r"(=|!=|>=|=>|<=|=<|>|<|~>|~|\^)", merged[-1]):
                merged[-1] += t
            else:
                merged.append(t)
        if not merged:
            raise ValueError(f"improper constraint: {text}")
        group = []
        for tok in merged:
            m = _CONSTRAINT_RE.match(tok)
            if not m:
                raise ValueError(f"improper constraint: {text}")
            for b in _parse_term(m.group(1) or "", m.group(2)):
                group.append((b, _check(b)))
        groups.append(group)
    return Constraint(text, groups)


def satisfies(version: str, constraint: str) -> bool:
    """True when ``version`` parses and meets ``constraint``."""
    v = try_parse(version)
    if v is None:
        return False
    return parse_constraint(constraint).check(v)


def sort_versions_desc(versions: list[str]) -> list[str]:
    """Newest first; unparsable versions last."""
    def key(s: str) -> tuple[int, object]:
        v = try_parse(s)
        return (0, v) if v is not None else (1, s)

    parsed = [s for s in versions if try_parse(s) is not None]
    bad = [s for s in versions if try_parse(s) is None]
    return sorted(parsed, key=lambda s: parse_version(s), reverse=True) + bad
