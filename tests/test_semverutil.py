import pytest

from helmpy.semverutil import parse_constraint, parse_version, satisfies, sort_versions_desc, try_parse


@pytest.mark.parametrize("version,constraint,expected", [
    ("1.2.3", ">=1.2.0", True),
    ("1.3.0", "~1.2.0", False),
    ("1.2.9", "~1.2.0", True),
    ("2.0.0", "^1.2", False),
    ("1.9.0", "^1.2", True),
    ("0.3.0", "^0.2.3", False),
    ("0.2.9", "^0.2.3", True),
    ("1.2.3-rc1", ">=1.0.0", False),
    ("1.2.3-rc1", ">=1.0.0-0", True),
    ("0.2.1-rc.1", ">=0.2.1-0 <0.3.0", True),  # one pre-release term admits pre-releases for its AND group
    ("0.2.1-rc.1", "<0.3.0", False),
    ("1.5.0-a", ">1.0.0 <2.0.0 || >=3.0.0-0", False),  # ... but not for the other OR groups
    ("1.5.0", "1.2 - 1.4.5", False),
    ("1.4.0", "1.2 - 1.4.5", True),
    ("1.2.7", "1.2.x", True),
    ("1.3.0", "1.2.x", False),
    ("3.0.0", "*", True),
    ("2.1.0", ">=1.0, <2.0 || >=2.1", True),
    ("2.0.5", ">=1.0, <2.0 || >=2.1", False),
    ("1.5.0", "> 1.2 < 2", True),
    ("1.2.5", "1.2", True),
    ("v1.2.3", "=1.2.3", True),
])
def test_constraints(version, constraint, expected):
    assert satisfies(version, constraint) is expected


def test_bad_constraint_is_value_error():
    with pytest.raises(ValueError):
        parse_constraint(">=abc")


def test_precedence_and_sort():
    assert parse_version("1.0.0-rc.1") < parse_version("1.0.0")
    assert parse_version("1.0.0-alpha.2") < parse_version("1.0.0-alpha.10")
    assert sort_versions_desc(["0.9.0", "1.0.0", "0.10.0", "1.0.0-rc.1", "0.1.0"]) == \
        ["1.0.0", "1.0.0-rc.1", "0.10.0", "0.9.0", "0.1.0"]


@pytest.mark.parametrize("text, ok", [
    ("01.2.3", True), ("1.02", True), ("v1", True), ("1.2.3-0", True), ("1.2.3-0a", True),
    ("1.2.3-01", False), ("1.2.3-a.01", False), ("1.2.3-", False), ("1..2", False), ("", False),
])
def test_lenient_versions_follow_masterminds(text, ok):
    """Helm's semver.NewVersion: leading zeros are fine in numbers, not in numeric pre-release identifiers."""
    from helmpy.chart.model import is_semver

    assert (try_parse(text) is not None) is ok
    assert is_semver(text) is ok
