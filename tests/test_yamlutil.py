import pytest

from helmpy import yamlutil
from helmpy.errors import ValuesError


def test_yaml11_booleans_and_timestamps_like_go_yaml():
    data = yamlutil.load("a: y\nb: N\nc: 2020-01-01\nd: on\ng: yellow\n")
    assert data == {"a": True, "b": False, "c": "2020-01-01", "d": True, "g": "yellow"}


def test_values_keys_become_strings_like_helm():
    assert yamlutil.load_values("y: 1\n2: two\n", "values.yaml") == {"true": 1, "2": "two"}


def test_multi_document_values_are_merged():
    text = "a: {x: 1, z: 2}\n---\na: {z: 3}\nb: 1\n"
    assert yamlutil.load_values(text, "v.yaml") == {"a": {"x": 1, "z": 3}, "b": 1}


def test_parse_error_names_file_and_line():
    with pytest.raises(ValuesError) as err:
        yamlutil.load("a: 1\nb: [\n", "my/values.yaml")
    assert "my/values.yaml: line" in str(err.value)


def test_dump_uses_go_yaml_key_order():
    out = yamlutil.dump({"b": 1, "a10": 2, "a2": 3, "_x": 4, "0": 5})
    assert [line.split(":")[0] for line in out.splitlines()] == ["_x", '"0"', "a2", "a10", "b"]


def test_dump_quotes_like_go_yaml():
    out = yamlutil.dump({"a": "1.0", "b": "true", "c": "y", "d": "*", "e": "@x", "f": "hello", "g": "", "h": "1.16.0"})
    assert out == 'a: "1.0"\nb: "true"\nc: "y"\nd: \'*\'\ne: \'@x\'\nf: hello\ng: ""\nh: 1.16.0\n'
    assert yamlutil.load(out) == {"a": "1.0", "b": "true", "c": "y", "d": "*", "e": "@x", "f": "hello", "g": "",
                                  "h": "1.16.0"}


def test_go_yaml_strings_where_pyyaml_would_fail():
    """``=`` and digit-less ints like ``0b_`` are strings in go-yaml; PyYAML raised (no constructor / ValueError)."""
    assert yamlutil.load("a: [=, 0b_, 0x_, 0b11, 0x1f, 1_000]") == {"a": ["=", "0b_", "0x_", 3, 31, 1000]}
    assert yamlutil.load_values("eq: =\n", "values.yaml") == {"eq": "="}


# --- hostile documents: aliases (go-yaml's rule), cycles, depth ---------------------------------------
import json  # noqa: E402
import time  # noqa: E402

import yaml  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from helmpy import _yamlguard, jsondepth  # noqa: E402
from helmpy.errors import RepoIndexError  # noqa: E402


def laughs(levels: int = 9, width: int = 9, indent: str = "") -> str:
    """The billion-laughs document: width**levels strings from a few hundred bytes."""
    lines = [f"{indent}a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    lines += [f"{indent}a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_at_once_naming_the_file() -> None:
    start = time.monotonic()
    with pytest.raises(ValuesError) as err:
        yamlutil.load_values(laughs(), "my/values.yaml")
    assert time.monotonic() - start < 1
    assert str(err.value).startswith("my/values.yaml: line 3, column 5: document contains excessive aliasing (")


@pytest.mark.parametrize("text", ["a: &a [*a]", "a: &a {b: *a}", "- &a [x, [y, *a]]"])
def test_an_anchor_that_contains_itself_is_refused(text: str) -> None:
    with pytest.raises(ValuesError, match="f.yaml: line 1, column .*: anchor value contains itself"):
        yamlutil.load(text, "f.yaml")


@pytest.mark.parametrize("text", [
    "[" * 100_000 + "]" * 100_000,
    "a: {" * 100_000 + "}" * 100_000,
    "- " * 100_000 + "x",
    "".join(" " * i + "a:\n" for i in range(300)),
    '{"a": ' * 50_000 + "1" + "}" * 50_000,
], ids=["flow-lists", "flow-maps", "compact-lists", "block-maps", "json"])
def test_deep_nesting_is_a_clear_error_not_a_crash(text: str) -> None:
    with pytest.raises(ValuesError, match=r"deep.yaml: line \d+, column \d+: nesting deeper than 200 levels "
                                          r"\(limit HELMPY_MAX_NESTING_DEPTH\)"):
        yamlutil.load_all(text, "deep.yaml")


def test_depth_through_aliases_is_bounded() -> None:
    lines = ["l0: &l0 " + "[" * 60 + "]" * 60]
    lines += [f"l{i}: &l{i} " + "[" * 60 + f"*l{i - 1}" + "]" * 60 for i in range(1, 5)]
    with pytest.raises(ValuesError, match="nesting deeper than 200 levels after expanding aliases"):
        yamlutil.load("\n".join(lines), "f.yaml")


def test_the_depth_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "[" * 20 + "]" * 20
    assert yamlutil.load(text) == json.loads(text)
    monkeypatch.setenv("HELMPY_MAX_NESTING_DEPTH", "10")
    with pytest.raises(ValuesError, match="nesting deeper than 10 levels"):
        yamlutil.load(text)


def test_reasonable_anchors_and_merge_keys_load_as_before() -> None:
    text = ("defaults: &defaults {image: nginx, pull: IfNotPresent, ports: &ports [80, 443]}\n"
            "web:\n  <<: *defaults\n  replicas: 2\n  extra: *ports\n"
            "api:\n  <<: [*defaults]\n  image: api\n"
            "list: [*ports, *ports, *ports]\n")
    plain = yaml.load(text, Loader=yamlutil._Loader)  # noqa: S506 - PyYAML's safe loader, unguarded
    assert yamlutil.load(text) == plain
    assert plain["web"] == {"image": "nginx", "pull": "IfNotPresent", "ports": [80, 443], "replicas": 2,
                            "extra": [80, 443]}
    assert yamlutil.load_values(text, "v.yaml")["api"]["image"] == "api"


# Where helmpy's verdict flips for "base: &b [x * WIDTH]" followed by N "kI: *b" lines; these are the
# points where real Helm flips too (tests/cli/test_hostile_yaml.py checks them against the helm binary).
ALIAS_FLIPS = [(150, 2705), (300, 293), (400, 198), (1000, 124)]


def aliased_doc(width: int, aliases: int) -> str:
    return "base: &b [" + ",".join(["x"] * width) + "]\n" + "".join(f"k{i}: *b\n" for i in range(aliases))


@pytest.mark.parametrize(("width", "flip"), ALIAS_FLIPS)
def test_alias_rule_flips_where_go_yaml_does(width: int, flip: int) -> None:
    yamlutil.load(aliased_doc(width, flip - 1))
    with pytest.raises(ValuesError, match="excessive aliasing"):
        yamlutil.load(aliased_doc(width, flip))


def test_allowed_alias_ratio_is_go_yaml_s() -> None:
    ratio = _yamlguard.allowed_alias_ratio
    assert ratio(1) == ratio(400_000) == 0.99
    assert ratio(4_000_000) == ratio(10**9) == 0.10
    assert ratio(2_200_000) == pytest.approx(0.545)


def test_deep_json_index_is_a_clear_error() -> None:
    with pytest.raises(RepoIndexError, match="index.yaml: JSON nested deeper than 200 levels"):
        yamlutil.check_json_depth(b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "index.yaml", RepoIndexError)


# --- property tests: the alias counter against a brute-force go-yaml decoder ------------------------
class _Model:
    """A node of a generated document: scalar, seq, map or alias (``target`` an earlier anchored node)."""

    def __init__(self, kind: str, items: list = (), target: "_Model | None" = None) -> None:  # type: ignore[assignment]
        self.kind, self.items, self.target, self.anchor = kind, list(items), target, ""

    def text(self) -> str:
        if self.kind == "alias":
            return f"*{self.target.anchor}"
        prefix = f"&{self.anchor} " if self.anchor else ""
        if self.kind == "scalar":
            return prefix + "x"
        if self.kind == "seq":
            return prefix + "[" + ", ".join(i.text() for i in self.items) + "]"
        return prefix + "{" + ", ".join(f"k{n}: {v.text()}" for n, v in enumerate(self.items)) + "}"


def _generate(rnd, anchors: list[_Model], depth: int) -> _Model:
    roll = rnd.random()
    if anchors and roll < 0.1:  # a fan of aliases to the newest anchors: how bombs grow
        node = _Model("seq", [_Model("alias", target=rnd.choice(anchors[-3:])) for _ in range(rnd.randint(2, 12))])
    elif anchors and roll < 0.35:
        return _Model("alias", target=rnd.choice(anchors))
    elif depth >= 4 or roll < 0.5:
        node = _Model("scalar")
    else:
        kind = rnd.choice(["seq", "map"])
        node = _Model(kind, [_generate(rnd, anchors, depth + 1) for _ in range(rnd.randint(0, 9))])
    if rnd.random() < 0.4:  # anchored once complete, so aliases never point into their own anchor
        node.anchor = f"a{len(anchors)}"
        anchors.append(node)
    return node


def _brute_force(root: _Model) -> tuple[bool, int, int, int, int]:
    """go-yaml's decoder, node by node: (refused, decoded, aliased, alias nodes, depth)."""
    state = {"decoded": 1, "aliased": 0, "alias_nodes": 0, "refused": False}

    def decode(node: _Model, in_alias: bool) -> int:
        if state["refused"]:
            return 0
        state["decoded"] += 1
        state["aliased"] += in_alias
        if _yamlguard.excessive_aliasing(state["decoded"], state["aliased"]):
            state["refused"] = True
            return 0
        if node.kind == "alias":
            state["alias_nodes"] += 1
            return decode(node.target, True)
        if node.kind == "scalar":
            return 0
        deepest = 0
        for item in node.items:
            if node.kind == "map":
                decode(_Model("scalar"), in_alias)  # the key
            deepest = max(deepest, decode(item, in_alias))
        return deepest + 1

    depth = decode(root, False)
    return state["refused"], state["decoded"], state["aliased"], state["alias_nodes"], depth


def _json_nodes(value: object) -> int:
    if isinstance(value, dict):
        return 1 + sum(1 + _json_nodes(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(_json_nodes(v) for v in value)
    return 1


@settings(max_examples=300, deadline=None)
@given(st.randoms(use_true_random=False))
def test_alias_counter_matches_a_brute_force_decoder(rnd) -> None:
    anchors: list[_Model] = []
    root = _Model("seq", [_generate(rnd, anchors, 1) for _ in range(rnd.randint(1, 6))])
    text = root.text()
    refused, decoded, aliased, alias_nodes, depth = _brute_force(root)
    node = yamlutil._Loader(text).get_single_node()
    if refused:
        with pytest.raises(yaml.YAMLError, match="excessive aliasing"):
            _yamlguard.check_aliases(node, max_depth=10**6)
        return
    assert _yamlguard.check_aliases(node, max_depth=10**6) == (decoded, aliased, depth)
    # the counted size is the size of the fully expanded structure (plus the document and alias nodes)
    expanded = json.loads(json.dumps(yamlutil.load(text)))
    assert _json_nodes(expanded) == decoded - 1 - alias_nodes


_JSON = st.recursive(st.one_of(st.integers(), st.text(alphabet='[]{}"\\ab', max_size=6), st.none()),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text("[{k", max_size=3), inner,
                                                                                 max_size=3), max_leaves=40)


def _depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(_JSON, st.integers(0, 8))
def test_json_depth_check_is_exact(value: object, limit: int) -> None:
    assert jsondepth.json_too_deep(json.dumps(value), limit) == (_depth(value) > limit)


@settings(max_examples=300, deadline=None)
@given(_JSON, st.integers(1, 12), st.booleans())
def test_text_depth_bound_never_under_counts(value: object, limit: int, flow: bool) -> None:
    text = yaml.safe_dump(value, default_flow_style=flow)
    if _yamlguard._depth_bound_ok(text, limit):
        assert _depth(value) <= limit
    try:
        _yamlguard.check_text_depth(text, limit, yamlutil._Loader)
    except yaml.YAMLError:
        assert _depth(value) > limit
    else:
        assert _depth(value) <= limit
