"""``semver`` and ``semverCompare`` with Masterminds/semver v3's rules (through :mod:`helmpy.semverutil`)."""

from __future__ import annotations

from collections.abc import Callable

from helmpy.engine.gotemplate.funcs._goval import Uint64
from helmpy.engine.gotemplate.funcs._sig import STR, go
from helmpy.engine.gotemplate.funcs.errors import FuncError
from helmpy.engine.gotemplate.values import GoMethod
from helmpy.semverutil import Version, parse_constraint, parse_version

INVALID = "invalid semantic version"  # Masterminds/semver v3.4 (Helm 4.1)


class GoVersion:
    """A ``*semver.Version``: templates call ``.Major``, ``.Minor``, ``.Prerelease``, ``.Compare`` ..."""

    go_type = "*semver.Version"

    def __init__(self, v: Version) -> None:
        self.v = v

    def go_string(self) -> str:
        return str(self.v)

    def go_json(self) -> str:
        return f'"{self.v}"'

    def go_member(self, name: str) -> object:
        v = self.v
        getters: dict[str, Callable[[], object]] = {
            "Major": lambda: Uint64(v.major), "Minor": lambda: Uint64(v.minor), "Patch": lambda: Uint64(v.patch),
            "Prerelease": lambda: v.prerelease, "Metadata": lambda: v.build, "Original": lambda: v.original,
            "String": lambda: str(v),
        }
        comparisons: dict[str, Callable[[GoVersion], object]] = {
            "Compare": lambda o: (v > o.v) - (v < o.v), "LessThan": lambda o: v < o.v,
            "GreaterThan": lambda o: v > o.v, "Equal": lambda o: v == o.v,
        }
        if name in getters:
            return GoMethod(getters[name], name, ())
        if name in comparisons:
            return GoMethod(comparisons[name], name, (self.go_type,))
        raise KeyError(name)


@go(STR)
def semver(text: str) -> GoVersion:
    """``semver "1.2.3-beta.1"``."""
    try:
        return GoVersion(parse_version(text))
    except ValueError as err:
        raise FuncError(INVALID) from err


@go(STR, STR)
def semver_compare(constraint: str, version: str) -> bool:
    """``semverCompare ">=1.20.0-0" .Capabilities.KubeVersion.Version``."""
    try:
        c = parse_constraint(constraint)
    except ValueError as err:
        raise FuncError(f"improper constraint: {constraint}") from err
    try:
        v = parse_version(version)
    except ValueError as err:
        raise FuncError(INVALID) from err
    return c.check(v)
