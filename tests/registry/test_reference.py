"""``oci://`` reference parsing and Helm's tag rules: examples and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helmpy.errors import RegistryError
from helmpy.registry import reference
from helmpy.registry.pull import match_version, semver_tags

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize("text, want", [
    ("oci://r.example.com/charts/web", ("r.example.com", "charts/web", "", "")),
    ("oci://127.0.0.1:5000/a/b/web:1.0.0", ("127.0.0.1:5000", "a/b/web", "1.0.0", "")),
    ("oci://localhost:5000/web:1.0.0+build.1", ("localhost:5000", "web", "1.0.0_build.1", "")),
    (f"oci://h/web@{DIGEST}", ("h", "web", "", DIGEST)),
    (f"oci://h:1/web:2.0.0@{DIGEST}", ("h:1", "web", "2.0.0", DIGEST)),
])
def test_parse(text: str, want: tuple[str, str, str, str]) -> None:
    ref = reference.parse(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == want


@pytest.mark.parametrize("text", [
    "oci://host", "oci://host/", "oci://host/Web", "oci://host/../web", "oci://host/a//b", "oci://ho st/web",
    "oci://host/web:", "oci://host/web:-x", "oci://host/web@sha256:abc", "oci://host/web@md5:" + "a" * 32,
    "oci://host/web:" + "a" * 129, "oci://host/we\nb",
])
def test_parse_refuses(text: str) -> None:
    with pytest.raises(RegistryError):
        reference.parse(text)


def test_helm_tag_rules() -> None:
    tags = ["latest", "1.0.0", "1.10.0", "v2.0.0", "1.2", "2.0.0-rc.1", "1.9.0_build.3", "garbage"]
    versions = semver_tags(tags)
    assert versions == ["2.0.0-rc.1", "1.10.0", "1.9.0+build.3", "1.0.0"]  # strict SemVer only, highest first
    assert match_version(versions, "") == "1.10.0"
    assert match_version(versions, ">0.0.0-0") == "2.0.0-rc.1"
    assert match_version(versions, "~1.9") == "1.9.0+build.3"
    with pytest.raises(RegistryError, match="could not locate a version matching"):
        match_version(versions, ">3")


_component = st.from_regex(r"\A[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,8}){0,2}\Z")


@settings(deadline=None)  # st.from_regex is slow to warm up on a loaded machine
@given(st.lists(_component, min_size=1, max_size=4), st.from_regex(r"\A[A-Za-z0-9_][A-Za-z0-9_.+-]{0,40}\Z"),
       st.booleans())
def test_parse_round_trips(path: list[str], tag: str, with_digest: bool) -> None:
    text = f"oci://reg.example:5000/{'/'.join(path)}:{tag}" + (f"@{DIGEST}" if with_digest else "")
    ref = reference.parse(text)
    assert ref.tag == reference.tag_for_version(tag) and "+" not in ref.tag
    assert reference.parse(str(ref) + (f"@{DIGEST}" if with_digest else "")) == ref
    assert "/" not in ref.name and ref.name == path[-1]


@settings(deadline=None)
@given(st.from_regex(r"\A[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?:-[a-z0-9.]{1,8})?(?:\+[a-z0-9.]{1,8})?\Z"))
def test_tag_version_round_trip(version: str) -> None:
    assert reference.version_for_tag(reference.tag_for_version(version)) == version
