"""Platform command choice and Go's ``os.Expand``, as Helm applies them to plugin.yaml commands."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helmpy.errors import PluginError
from helmpy.plugin.command import choose, expand, prepare
from helmpy.plugin.manifest import PlatformCommand as PC

ENV = {"A": "alpha", "HELM_PLUGIN_DIR": "/p", "1": "one", "$": "dollar", "A_1": "a1"}


@pytest.mark.parametrize("text, want", [
    ("$A", "alpha"), ("${A}", "alpha"), ("x$A.y", "xalpha.y"), ("$A_1", "a1"), ("${A}_1", "alpha_1"),
    ("$HELM_PLUGIN_DIR/bin/run", "/p/bin/run"), ("$UNSET", ""), ("$", "$"), ("a$", "a$"), ("$ x", "$ x"),
    ("$$", "dollar"), ("$1x", "onex"), ("${1}", "one"), ("${}", ""), ("${A", "A"), ("$(id)", "$(id)"),
    ("`id`", "`id`"), ("$é", "$é"),
])
def test_expand_is_gos_os_expand(text: str, want: str) -> None:
    assert expand(text, ENV) == want


@given(st.text(alphabet=st.characters(blacklist_characters="$")))
def test_text_without_dollar_is_unchanged(text: str) -> None:
    assert expand(text, ENV) == text


@given(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True), st.text(max_size=20),
       st.text(alphabet=" /.-:", max_size=5))
def test_a_name_expands_to_its_value(name: str, value: str, tail: str) -> None:
    assert expand(f"${name}{tail}", {name: value}) == value + tail
    assert expand(f"${{{name}}}", {name: value}) == value


@pytest.mark.parametrize("commands, os_name, arch, want", [
    ([PC("generic"), PC("mine", os="linux")], "linux", "amd64", "mine"),
    ([PC("mine", os="linux"), PC("generic")], "linux", "amd64", "mine"),
    ([PC("generic"), PC("other", os="darwin")], "linux", "amd64", "generic"),
    ([PC("arm", os="linux", arch="arm64"), PC("x86", os="linux", arch="amd64")], "linux", "amd64", "x86"),
    ([PC("arm only", arch="arm64")], "linux", "amd64", None),  # an arch without an OS never matches alone
    ([PC("first", os="Linux"), PC("second", os="linux")], "linux", "amd64", "first"),
    ([], "linux", "amd64", None),
])
def test_choose_is_helms_platform_rule(commands: list[PC], os_name: str, arch: str, want: str | None) -> None:
    chosen = choose(commands, os_name, arch)
    assert (chosen.command if chosen else None) == want


def test_prepare_splits_on_spaces_and_expands_only_when_asked() -> None:
    cmds = [PC("$HELM_PLUGIN_DIR/run a $A", ("$A",))]
    assert prepare(cmds, ENV, ["$A"]) == ["/p/run", "a", "alpha", "alpha", "$A"]
    assert prepare(cmds, ENV, expand_args=False) == ["/p/run", "a", "$A", "$A"]
    with pytest.raises(PluginError, match="no plugin command is applicable"):
        prepare([PC("x", os="plan9")], ENV)
