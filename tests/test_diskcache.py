"""The content-hash caches (helmpy/diskcache.py): a hit is indistinguishable from a fresh parse, and a cache that is
corrupt, foreign, full, unwritable or turned off changes nothing but the time a command takes."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helmpy import yamlcache, yamlutil
from helmpy.diskcache import DiskCache, ValueCache, parse_cache_store
from helmpy.errors import ValuesError

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "charts" / "web"


def shape(value: Any, memo: dict[int, int] | None = None) -> Any:
    """``value`` with every type spelled out (bool is not int, -0.0 is not 0.0, key order counts) and shared
    containers marked, so two equal shapes are indistinguishable values."""
    memo = {} if memo is None else memo
    if isinstance(value, (dict, list, tuple, set, frozenset)):
        if id(value) in memo:
            return ("shared", memo[id(value)])
        memo[id(value)] = len(memo)
    kind = type(value).__name__
    if isinstance(value, float):
        return (kind, "nan" if math.isnan(value) else value.hex())
    if isinstance(value, dict):
        return (kind, [(shape(k, memo), shape(v, memo)) for k, v in value.items()])
    if isinstance(value, (list, tuple)):
        return (kind, [shape(v, memo) for v in value])
    if isinstance(value, (set, frozenset)):
        return (kind, sorted(repr(shape(v, memo)) for v in value))
    return (kind, value)


def parsed_entries() -> list[Path]:
    root = Path(os.environ["HELMPY_CACHE_HOME"]) / "parsed"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- the property: cached == fresh ------------------------------------------------------------------
# plain scalars that exercise every resolver of the go-yaml dialect (y/n booleans, 0o octal, dot-less floats,
# "=", timestamps kept as strings, digit-less 0x_), and quoted or block forms of the same texts
PLAIN = st.sampled_from([
    "1", "-7", "0", "007", "0o17", "0x1F", "0b101", "0x_", "1_000", "9223372036854775808", "1.5", "-0.0", "1e3",
    "1e+06", "6.02e23", ".inf", "-.Inf", ".nan", "~", "null", "Null", "", "y", "n", "Yes", "off", "ON", "true",
    "False", "=", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "12:30:00", "abc", "a b", "é", "-", "0.", "+1",
])
KEY = st.sampled_from(["a", "b", "image", "1", "true", "null", "y", "0o1", "x.y", "ключ"])


@st.composite
def scalar_text(draw: Any) -> str:
    text = draw(PLAIN)
    style = draw(st.sampled_from(["plain", "double", "single"]))
    if style == "double":
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    return text


@st.composite
def block(draw: Any, depth: int = 0) -> list[str]:
    """Lines of a block mapping (with nested maps, lists, flow collections, anchors and aliases)."""
    lines: list[str] = []
    pad = "  " * depth
    anchors: list[str] = []
    for i, key in enumerate(draw(st.lists(KEY, min_size=1, max_size=4, unique=True))):
        form = draw(st.sampled_from(["scalar", "map", "list", "flow", "alias"] if depth < 3 else ["scalar", "flow"]))
        if form == "alias" and anchors:
            lines.append(f"{pad}{key}: *{draw(st.sampled_from(anchors))}")
        elif form == "map":
            anchor = f"m{depth}{i}"
            anchors.append(anchor)
            lines.append(f"{pad}{key}: &{anchor}")
            lines.extend(draw(block(depth + 1)))
        elif form == "list":
            lines.append(f"{pad}{key}:")
            for item in draw(st.lists(scalar_text(), min_size=1, max_size=3)):
                lines.append(f"{pad}- {item}")
        elif form == "flow":
            items = draw(st.lists(scalar_text(), max_size=3))
            lines.append(f"{pad}{key}: [{', '.join(items)}]" if draw(st.booleans())
                         else f"{pad}{key}: {{{', '.join(f'k{j}: {v}' for j, v in enumerate(items))}}}")
        else:
            lines.append(f"{pad}{key}: {draw(scalar_text())}")
    return lines


@st.composite
def values_text(draw: Any) -> str:
    docs = ["\n".join(draw(block())) for _ in range(draw(st.integers(1, 2)))]
    return "\n---\n".join(docs) + "\n"


@settings(max_examples=150, deadline=None)
@given(values_text(), st.booleans())
def test_a_cached_values_file_is_indistinguishable_from_a_fresh_parse(text: str, as_bytes: bool) -> None:
    data: str | bytes = text.encode() if as_bytes else text
    try:
        fresh = yamlutil.load_values(data, "v.yaml")
    except ValuesError as err:  # errors are never cached: the same error every time
        for _ in range(2):
            with pytest.raises(ValuesError) as again:
                yamlcache.load_values(data, "v.yaml")
            assert str(again.value) == str(err)
        return
    first = yamlcache.load_values(data, "v.yaml")  # a miss: parsed and stored
    second = yamlcache.load_values(data, "v.yaml")  # a hit: from the stored entry
    assert shape(first) == shape(second) == shape(fresh)
    assert second is not first  # every hit is a fresh object (callers mutate values)


@settings(max_examples=100, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    | st.tuples(inner, inner), max_leaves=30))
def test_any_plain_value_round_trips_exactly(value: Any) -> None:
    cache = ValueCache("test-value", 1)
    entry = cache.encode(value)
    assert entry is not None
    found, back = cache.decode(entry)
    assert found and shape(back) == shape(value)


def test_values_marshal_would_change_are_not_cached() -> None:
    from helmpy.values.numbers import Int64

    cache = ValueCache("test-value", 1)
    for value in ({"n": Int64(3)}, [bytearray(b"x")], {"k": type("S", (str,), {})("s")}, [object()]):
        assert cache.encode(value) is None


# --- entries: corrupt, foreign, keyed by everything the parse depends on ---------------------------------
def test_corrupt_truncated_and_foreign_entries_are_ignored_and_replaced(tmp_path: Path) -> None:
    text = b"a: 1\nb: [x, z]\n"
    assert yamlcache.load_values(text, "v.yaml") == {"a": 1, "b": ["x", "z"]}
    (entry,) = parsed_entries()
    good = entry.read_bytes()
    foreign = ValueCache("yaml-document", 1).encode({"a": "other"})
    assert foreign is not None
    other_version = ValueCache("values", 2).encode({"a": "other"})
    assert other_version is not None
    flipped = good[:-1] + bytes([good[-1] ^ 1])
    for bad in (b"", b"garbage", good[: len(good) // 2], flipped, foreign, other_version):
        entry.write_bytes(bad)
        assert yamlcache.load_values(text, "v.yaml") == {"a": 1, "b": ["x", "z"]}
        assert entry.read_bytes() == good  # parsed again and replaced
    assert entry.stat().st_mode & 0o077 == 0


def test_the_key_covers_the_nesting_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    deep = b"a: " + b"[" * 30 + b"]" * 30 + b"\n"
    assert yamlcache.load_values(deep, "v.yaml")  # cached under the default limit (200)
    monkeypatch.setenv("HELMPY_MAX_NESTING_DEPTH", "10")
    with pytest.raises(ValuesError, match="v.yaml"):
        yamlcache.load_values(deep, "v.yaml")  # a fresh parse under the lower limit refuses it


def test_str_and_bytes_inputs_are_keyed_apart() -> None:
    bom = "\ufeffa: 1\n"
    assert shape(yamlcache.load_values(bom, "v")) == shape(yamlutil.load_values(bom, "v"))
    assert shape(yamlcache.load_values(bom.encode(), "v")) == shape(yamlutil.load_values(bom.encode(), "v"))
    assert len(parsed_entries()) == 2


def test_turned_off_nothing_is_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELMPY_PARSE_CACHE", "0")
    assert parse_cache_store() is None
    assert yamlcache.load_values(b"a: 1\n", "v") == {"a": 1}
    assert parsed_entries() == []


def test_an_unwritable_cache_home_just_means_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("HELMPY_CACHE_HOME", str(blocker))
    assert yamlcache.load_values(b"a: 1\n", "v") == {"a": 1}
    assert yamlcache.load_values(b"a: 1\n", "v") == {"a": 1}


def test_disk_cache_round_trip_and_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELMPY_CACHE_HOME", str(tmp_path))
    shard = tmp_path / "bounded" / "00"
    shard.mkdir(parents=True)
    for i in range(20):  # 20,000 stale bytes, oldest first
        old = shard / f"00{i:062d}"
        old.write_bytes(b"x" * 1000)
        os.utime(old, (1_000_000 + i, 1_000_000 + i))
    cache = DiskCache("bounded", lambda: 10_000)
    key = "ab" + "0" * 62
    assert cache.load(key) is None
    cache.save(key, b"payload")
    assert cache.load(key) == b"payload"
    left = sorted(p.name for p in shard.iterdir())
    assert len(left) <= 7 and f"00{19:062d}" in left and f"00{0:062d}" not in left


# --- through the commands ----------------------------------------------------------------------------
def test_template_output_is_the_same_with_and_without_the_parse_cache(cli: Any, monkeypatch: pytest.MonkeyPatch,
                                                                       tmp_path: Path) -> None:
    values = tmp_path / "big.yaml"
    values.write_text("".join(f"key{i}:\n  n: {i}\n  f: {i}.5\n  s: 'v{i}'\n  b: yes\n" for i in range(500)))
    argv = ("template", "x", str(WEB), "-f", str(values), "--skip-schema-validation")  # keys the schema lacks
    monkeypatch.setenv("HELMPY_PARSE_CACHE", "0")
    off = cli(*argv)
    assert off.exit_code == 0, off
    assert parsed_entries() == []
    monkeypatch.delenv("HELMPY_PARSE_CACHE")
    first = cli(*argv)
    entries = parsed_entries()
    assert entries and all(p.stat().st_mode & 0o077 == 0 for p in entries)
    mtimes = [p.stat().st_mtime_ns for p in entries]
    second = cli(*argv)
    assert first.stdout == second.stdout == off.stdout
    assert parsed_entries() == entries and [p.stat().st_mtime_ns for p in entries] == mtimes  # all hits
    for entry in entries:
        entry.write_bytes(b"\x00corrupt")
    assert cli(*argv).stdout == off.stdout


def test_a_values_error_is_reported_every_time(cli: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\n")
    for _ in range(2):
        result = cli("template", "x", str(WEB), "-f", str(bad))
        assert result.exit_code != 0 and "bad.yaml" in result.stderr and "Traceback" not in result.stderr


def test_the_parse_cache_is_bounded_by_its_limit(tmp_path: Path) -> None:
    cache_home = tmp_path / "cache"
    shard = cache_home / "parsed" / "00"
    shard.mkdir(parents=True)
    for i in range(30):
        old = shard / f"00{i:062d}"
        old.write_bytes(b"x" * 1000)
        os.utime(old, (1_000_000 + i, 1_000_000 + i))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HELMPY_CACHE_HOME": str(cache_home),
           "HELMPY_MAX_PARSE_CACHE_SIZE": "20000"}
    proc = subprocess.run([sys.executable, "-m", "helmpy", "template", "x", str(WEB)], env=env, capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc
    left = {p.name for p in shard.iterdir()}
    assert f"00{29:062d}" in left and f"00{0:062d}" not in left and len(left) <= 15
    fresh = [p for p in (cache_home / "parsed").rglob("*") if p.is_file() and p.stat().st_size != 1000]
    assert fresh
    bad = subprocess.run([sys.executable, "-m", "helmpy", "template", "x", str(WEB)],
                         env={**env, "HELMPY_MAX_PARSE_CACHE_SIZE": "lots"}, capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert bad.returncode != 0 and "HELMPY_MAX_PARSE_CACHE_SIZE" in bad.stderr and "Traceback" not in bad.stderr
