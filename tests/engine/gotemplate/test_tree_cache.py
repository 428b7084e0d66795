"""Go parse trees kept on disk: a stored tree renders what a fresh parse renders, and the on-disk store
(helmpy/action/codecache.py) ignores truncated, corrupt and foreign entries, stays within its size bound and
survives two processes writing one entry. Real files throughout; no timing."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings

from helmpy.action.codecache import MAGIC, TemplateCodeCache
from helmpy.engine import sandbox
from helmpy.engine.gotemplate import TemplateSet, parse, templateset, treecodec
from helmpy.engine.gotemplate.nodes import ListNode, Tree
from helmpy.engine.sandbox import Limits
from helmpy.errors import RenderLimitError, TemplateExecError, TemplateParseError
from tests.engine.gotemplate.test_exec_properties import DATA, templates

ROOT = Path(__file__).resolve().parents[3]
KEY = "ab" + "0" * 62


@pytest.fixture
def disk_store(tmp_path: Path):
    """The real on-disk store installed as the code store, with the process caches emptied around the test."""
    store = TemplateCodeCache(tmp_path / "templates")
    saved = dict(templateset._CACHE)
    templateset._CACHE.clear()
    sandbox.set_code_store(store)
    yield store
    sandbox.set_code_store(None)
    templateset._CACHE.clear()
    templateset._CACHE.update(saved)


def _render(text: str, data: object = None) -> str:
    ts = TemplateSet(limits=Limits(timeout_seconds=5, max_output_bytes=1 << 20, max_recursion=10))
    ts.add("d", '{{ define "d" }}[{{ . }}]{{ end }}')
    ts.add("t", text)
    return ts.execute("t", DATA if data is None else data)


def _outcome(text: str) -> tuple[str, str]:
    try:
        return "ok", _render(text)
    except (TemplateParseError, TemplateExecError, RenderLimitError) as err:
        return type(err).__name__, str(err)


# --- the codec ---------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(templates())
def test_a_decoded_tree_prints_and_renders_as_the_parsed_one(text: str) -> None:
    try:
        trees = parse("t", text, ["d"])
    except TemplateParseError:
        return
    for name, tree in trees.items():
        for lazy_min in (0, 1 << 30):  # every branch body stored apart / none
            root = treecodec.decode_tree(treecodec.encode_tree(tree.root, lazy_min=lazy_min))
            assert str(root) == str(tree.root)
            assert str(Tree(name, "t", root, text).root) == str(tree.root)


@settings(max_examples=150, deadline=None)
@given(text=templates())
def test_a_render_from_stored_trees_equals_a_fresh_one(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    store = TemplateCodeCache(tmp_path_factory.mktemp("store"))
    saved = dict(templateset._CACHE)
    try:
        templateset._CACHE.clear()
        sandbox.set_code_store(None)
        fresh = _outcome(text)
        sandbox.set_code_store(store)
        templateset._CACHE.clear()
        _outcome(text)  # fills the store
        templateset._CACHE.clear()  # a new process: only the store remembers
        assert _outcome(text) == fresh
    finally:
        sandbox.set_code_store(None)
        templateset._CACHE.clear()
        templateset._CACHE.update(saved)


def test_every_node_kind_has_its_encoder_and_decoder() -> None:
    inner = set(treecodec._INNER)
    assert inner == set(treecodec._INNER_ENCODERS)
    assert inner.isdisjoint(treecodec._LEAVES)
    assert inner | treecodec._LEAVES == set(range(len(treecodec._KINDS)))


@pytest.mark.parametrize("data", [b"", b"\x00garbage", b"\xff" * 40])
def test_bytes_that_are_not_a_tree_are_refused(data: bytes) -> None:
    with pytest.raises(treecodec.CorruptTree):
        treecodec.decode_tree(data)


def test_a_stored_branch_is_decoded_only_when_read() -> None:
    text = "{{ if .a }}" + "a long body " * 100 + "{{ .b }}{{ end }}"
    root = treecodec.decode_tree(treecodec.encode_tree(parse("t", text)["t"].root))
    branch = root.nodes[0].list  # type: ignore[attr-defined]
    assert isinstance(branch, treecodec.StoredList)
    with pytest.raises(AttributeError):  # the slot is still empty
        ListNode.nodes.__get__(branch)  # type: ignore[attr-defined]
    assert str(branch) == "a long body " * 100 + "{{.b}}"
    assert len(ListNode.nodes.__get__(branch)) == 2  # type: ignore[attr-defined]


# --- the store, on real files ---------------------------------------------------------------------------
def test_a_saved_entry_loads_back_and_a_missing_one_is_a_miss(tmp_path: Path) -> None:
    store = TemplateCodeCache(tmp_path)
    assert store.load(KEY) is None
    store.save(KEY, b"payload")
    path = tmp_path / KEY[:2] / KEY
    assert path.read_bytes().startswith(MAGIC) and path.stat().st_mode & 0o077 == 0
    assert store.load(KEY) == b"payload"
    assert TemplateCodeCache(tmp_path).load(KEY) == b"payload"  # another process


@pytest.mark.parametrize("damage", ["truncated", "flipped", "foreign", "empty", "not ours", "huge"])
def test_a_damaged_entry_reads_as_a_miss(tmp_path: Path, damage: str) -> None:
    store = TemplateCodeCache(tmp_path, max_bytes=4096)
    store.save(KEY, b"payload " * 100)
    path = tmp_path / KEY[:2] / KEY
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[:-5])
    elif damage == "flipped":
        path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    elif damage == "foreign":  # a whole, valid entry - of another key
        other = "cd" + "1" * 62
        store.save(other, b"other payload")
        path.write_bytes((tmp_path / other[:2] / other).read_bytes())
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "not ours":
        path.write_bytes(b"\x00" * 100)
    else:
        path.write_bytes(MAGIC + b"\x00" * 5000)
    assert store.load(KEY) is None


def test_keys_that_are_not_digests_never_name_a_file(tmp_path: Path) -> None:
    store = TemplateCodeCache(tmp_path / "c")
    for key in ("../../etc/passwd", "a/b", "", "ab"):
        store.save(key, b"x")
        assert store.load(key) is None
    assert not (tmp_path / "c").exists()


def test_the_store_stays_within_its_size_bound(tmp_path: Path) -> None:
    store = TemplateCodeCache(tmp_path, max_bytes=10_000)
    keys = [f"{i:02x}" + f"{i:062x}" for i in range(40)]
    for i, key in enumerate(keys):
        store.save(key, bytes([i]) * 900)
        os.utime(tmp_path / key[:2] / key, (1_000_000 + i, 1_000_000 + i))  # save order = use order
        assert store.disk_usage() <= 10_000
    assert store.load(keys[-1]) is not None and store.load(keys[0]) is None  # the oldest went first
    store.save("ff" + "f" * 62, b"x" * 20_000)  # larger than the whole budget: not kept
    assert store.load("ff" + "f" * 62) is None


def test_the_size_bound_comes_from_its_environment_variable(monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    monkeypatch.setenv("HELMPY_MAX_TEMPLATE_CACHE_SIZE", "1234")
    assert TemplateCodeCache(tmp_path).max_bytes == 1234


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from helmpy.action.codecache import TemplateCodeCache
    store = TemplateCodeCache(Path(sys.argv[1]))
    payload = bytes(range(256)) * 4000
    for _ in range(30):
        store.save(sys.argv[2], payload)
        got = store.load(sys.argv[2])
        assert got is None or got == payload, "a torn entry was read"
""")


def test_two_processes_writing_one_entry_leave_a_whole_one(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), KEY], env=env, cwd=ROOT,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert TemplateCodeCache(tmp_path).load(KEY) == bytes(range(256)) * 4000
    assert [p.name for p in (tmp_path / KEY[:2]).iterdir()] == [KEY]  # no temporary file left behind


# --- through the engine and the command -------------------------------------------------------------------
LIB = '{{ define "lib.name" }}{{ .Release.Name }}-{{ .Chart.Name }}{{ end }}'
BIG = ("{{ if .Values.on }}" + "# a long comment line to make the body worth storing apart\n" * 20
       + "{{ range $k, $v := .Values.m }}{{ $k }}: {{ $v | printf \"%q\" }}\n{{ end }}{{ else }}off: true\n{{ end }}")


def test_a_store_hit_skips_the_parser(disk_store: TemplateCodeCache) -> None:
    values = {"Values": {"on": True, "m": {"a": 1.0, "b": "x"}}}
    first = _render(BIG, values)
    assert disk_store.disk_usage() > 0
    templateset._CACHE.clear()  # a new process
    loaded = templateset.parse_compiled("t", BIG, TemplateSet()._func_names, 100, persist=True)
    assert [c._tree for c in loaded.values()] == [None]  # from the store, no tree built yet
    templateset._CACHE.clear()
    assert _render(BIG, values) == first


def test_a_corrupt_tree_inside_a_valid_entry_is_parsed_again(disk_store: TemplateCodeCache) -> None:
    text = '{{ define "x" }}X{{ end }}A{{ template "x" }}'
    first = _render(text)
    key = next(k for k in templateset._CACHE if "t" in templateset._CACHE[k])
    templateset._CACHE.clear()
    import marshal

    fmt, items = marshal.loads(disk_store.load(key))  # type: ignore[arg-type]
    disk_store.save(key, marshal.dumps((fmt, [(name, empty, b"\x00bad") for name, empty, _ in items])))
    assert _render(text) == first


def _go_chart(root: Path) -> Path:
    chart = root / "gochart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: gochart\nversion: 1.0.0\n")
    (chart / "values.yaml").write_text("on: true\nm:\n  a: 1\n  b: two\n")
    (chart / "templates" / "_lib.tpl").write_text(LIB)
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include \"lib.name\" . }}\ndata:\n  "
        + BIG.replace("\n{{ end }}{{ else }}", "\n  {{ end }}{{ else }}"))
    return chart


def test_helmpy_template_stores_go_trees_and_prints_the_same_from_them(cli, tmp_path: Path) -> None:
    chart = _go_chart(tmp_path)
    cache = Path(os.environ["HELMPY_CACHE_HOME"]) / "templates"
    templateset._CACHE.clear()
    first = cli("template", "x", str(chart))
    assert first.exit_code == 0, first
    entries = [p for p in cache.rglob("*") if p.is_file()]
    assert len(entries) == 2 and all(p.stat().st_mode & 0o077 == 0 for p in entries)
    templateset._CACHE.clear()
    assert cli("template", "x", str(chart)).stdout == first.stdout
    for entry in entries:  # every entry damaged: parsed again, same output
        entry.write_bytes(entry.read_bytes()[:-3])
    templateset._CACHE.clear()
    assert cli("template", "x", str(chart)).stdout == first.stdout


def test_a_bad_cache_size_setting_is_one_error_line(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELMPY_MAX_TEMPLATE_CACHE_SIZE", "lots")
    result = cli("template", "x", str(_go_chart(tmp_path)))
    assert result.exit_code != 0
    assert result.stderr.strip().splitlines() == [
        "Error: HELMPY_MAX_TEMPLATE_CACHE_SIZE='lots' is not a positive whole number"]
