"""Errors and panics against Helm's wording, the function table against Helm's names, and the seams."""

from __future__ import annotations

import random
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from helmpy.engine.gotemplate.funcs import FUNCS, PLACEHOLDERS, FuncError, Seams, build_funcs, limits
from helmpy.engine.gotemplate.funcs._sig import signature
from helmpy.errors import RenderLimitError

# (template call, python call, Go function name as Helm reports it)
ERRORS = [
    ('fail "boom"', lambda F: F["fail"]("boom"), ""),  # Helm's engine words fail's error itself
    ("deepCopy nil", lambda F: F["deepCopy"](None), "deepCopy"),
    ("div 1 0", lambda F: F["div"](1, 0), "div"),
    ("mod 1 0", lambda F: F["mod"](1, 0), "mod"),
    ('substr -1 -2 "abc"', lambda F: F["substr"](-1, -2, "abc"), "substr"),
    ('substr 3 1 "abcdef"', lambda F: F["substr"](3, 1, "abcdef"), "substr"),
    ('substr 9 -1 "abc"', lambda F: F["substr"](9, -1, "abc"), "substr"),
    ('repeat -1 "x"', lambda F: F["repeat"](-1, "x"), "repeat"),
    ('append (dict) 1', lambda F: F["append"]({}, 1), "append"),
    ('mustAppend "s" 1', lambda F: F["mustAppend"]("s", 1), "mustAppend"),
    ('first 3', lambda F: F["first"](3), "first"),
    ('mustLast (dict)', lambda F: F["mustLast"]({}), "mustLast"),
    ('concat (list 1) 2', lambda F: F["concat"]([1], 2), "concat"),
    ('has 1 "abc"', lambda F: F["has"](1, "abc"), "has"),
    ('dig "a" (dict)', lambda F: F["dig"]("a", {}), "dig"),
    ('dig "a" "b" "d" (dict "a" 1)', lambda F: F["dig"]("a", "b", "d", {"a": 1}), "dig"),
    ('regexFind "(" "x"', lambda F: F["regexFind"]("(", "x"), "regexFind"),
    ('mustRegexMatch "a**" "x"', lambda F: F["mustRegexMatch"]("a**", "x"), "mustRegexMatch"),
    ('mustRegexFindAll "[a" "x" -1', lambda F: F["mustRegexFindAll"]("[a", "x", -1), "mustRegexFindAll"),
    ('mustRegexReplaceAll "\\\\8" "x" ""', lambda F: F["mustRegexReplaceAll"]("\\8", "x", ""), "mustRegexReplaceAll"),
    ('semverCompare "!!" "1.0.0"', lambda F: F["semverCompare"]("!!", "1.0.0"), "semverCompare"),
    ('semverCompare ">1" "x.y"', lambda F: F["semverCompare"](">1", "x.y"), "semverCompare"),
    ('semver "nope"', lambda F: F["semver"]("nope"), "semver"),
    ('mustToDate "2006-01-02" "x"', lambda F: F["mustToDate"]("2006-01-02", "x"), "mustToDate"),
    ('mustToDate "2006-01-02" "2020-13-01"', lambda F: F["mustToDate"]("2006-01-02", "2020-13-01"), "mustToDate"),
    ('mustDateModify "1x" now', lambda F: F["mustDateModify"]("1x", datetime.now(UTC)), "mustDateModify"),
    ('mustDateModify "5" now', lambda F: F["mustDateModify"]("5", datetime.now(UTC)), "mustDateModify"),
    ('mustFromJson "{"', lambda F: F["mustFromJson"]("{"), "mustFromJson"),
    ('randInt 5 5', lambda F: F["randInt"](5, 5), "randInt"),
    ('chunk 0 (list 1)', lambda F: F["chunk"](0, [1]), "chunk"),
    ('decryptAES "k" "!!"', lambda F: F["decryptAES"]("k", "!!"), "decryptAES"),
]


def _helm(helm_bin_dir: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    import os

    env = {**os.environ, "HELM_CONFIG_HOME": str(home / "c"), "HELM_CACHE_HOME": str(home / "k"),
           "HELM_DATA_HOME": str(home / "d"), "HOME": str(home), "TZ": "UTC"}
    return subprocess.run([str(helm_bin_dir / "helm"), *args], capture_output=True, text=True, env=env, timeout=300)


def _chart(root: Path, body: str) -> Path:
    chart = root / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "templates" / "t.yaml").write_text(body)
    return chart


@pytest.mark.helm
@pytest.mark.parametrize(("expr", "call", "name"), ERRORS, ids=[e[0] for e in ERRORS])
def test_error_text_matches_helm(expr: str, call, name: str, helm_bin_dir: Path, tmp_path: Path) -> None:
    proc = _helm(helm_bin_dir, tmp_path / "home", "template", "x", str(_chart(tmp_path, f"# {{{{ {expr} }}}}\n")))
    assert proc.returncode != 0, proc.stdout
    first = proc.stderr.splitlines()[0]
    with pytest.raises(FuncError) as info:
        call(build_funcs())
    if name:
        assert first.endswith(f"error calling {name}: {info.value.message}"), first
    else:
        assert first == f"Error: execution error at (c/templates/t.yaml:1:5): {info.value.message}", first


@pytest.mark.helm
def test_every_name_is_defined_by_helm(helm_bin_dir: Path, tmp_path: Path) -> None:
    """Helm's parser rejects unknown functions, so one template naming all of ours must parse (and not run)."""
    body = "".join(f"{{{{ if false }}}}{{{{ {name} }}}}{{{{ end }}}}\n" for name in sorted(FUNCS))
    proc = _helm(helm_bin_dir, tmp_path / "home", "template", "x", str(_chart(tmp_path, body)))
    assert proc.returncode == 0, proc.stderr


@pytest.mark.helm
@pytest.mark.parametrize("name", ["env", "expandenv", "durationSeconds", "mustToToml", "toBool"])
def test_names_helm_lacks_are_absent(name: str, helm_bin_dir: Path, tmp_path: Path) -> None:
    proc = _helm(helm_bin_dir, tmp_path / "home", "template", "x",
                 str(_chart(tmp_path, f"{{{{ if false }}}}{{{{ {name} }}}}{{{{ end }}}}\n")))
    assert f'function "{name}" not defined' in proc.stderr
    assert name not in FUNCS


def test_table_size_and_placeholders() -> None:
    assert len(FUNCS) == 221
    for name in PLACEHOLDERS:
        with pytest.raises(FuncError, match="not wired"):
            FUNCS[name]("x", "y", "z", "w")[: len(PLACEHOLDERS[name])]


def test_every_function_declares_its_go_signature() -> None:
    missing = [name for name, fn in FUNCS.items() if signature(fn) is None]
    assert missing == []


def test_seams_make_random_and_clock_functions_reproducible() -> None:
    frozen = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)

    def funcs() -> dict:
        return build_funcs(Seams(now=lambda: frozen, local=UTC, rng=random.Random(7)))

    a, b = funcs(), funcs()
    for name, args in (("randAlphaNum", (16,)), ("randAscii", (16,)), ("uuidv4", ()), ("shuffle", ("abcdef",)),
                       ("randInt", (1, 100)), ("randBytes", (8,)), ("encryptAES", ("k", "text"))):
        assert a[name](*args) == b[name](*args), name
    assert a["date"]("2006-01-02T15:04:05Z07:00", a["now"]()) == "2024-01-02T03:04:05Z"
    assert a["ago"](datetime(2024, 1, 2, 3, 3, 0, tzinfo=UTC)) == "1m5s"
    assert a["uuidv4"]()[14] == "4"
    cert = a["genCA"]("my-ca", 3)
    assert cert.Cert.startswith("-----BEGIN CERTIFICATE-----") and "PRIVATE KEY" in cert.Key
    signed = a["genSignedCert"]("svc", ["10.0.0.1"], ["svc.local"], 3, cert)
    from cryptography import x509

    parsed = x509.load_pem_x509_certificate(signed.Cert.encode())
    assert parsed.issuer.rfc4514_string() == "CN=my-ca"
    assert parsed.not_valid_before_utc == frozen.replace(microsecond=0)


@pytest.mark.parametrize(("name", "args"), [("repeat", (10**9, "ab")), ("indent", (10**8, "a\nb")),
                                             ("until", (10**9,)), ("seq", (10**9,)), ("untilStep", (0, 10**12, 1)),
                                             ("randAlphaNum", (10**9,)), ("replace", ("", "xxxx", "a" * 3 * 10**5))])
def test_allocating_functions_check_the_size_first(name: str, args: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELMPY_RENDER_MAX_OUTPUT", "1000000")
    with pytest.raises(RenderLimitError, match="HELMPY_RENDER_MAX_OUTPUT"):
        FUNCS[name](*args)


def test_size_check_binds_to_a_render_guard() -> None:
    seen: list[int] = []
    with limits.bind(seen.append):
        FUNCS["repeat"](3, "ab")
    assert seen == [6]
