"""Hostile YAML and oversized values attack the real commands, in a subprocess with bounded memory.

Each command runs as ``python -m helmpy`` under ``RLIMIT_AS`` (1 GiB) and a timeout, and must exit 1
with one ``Error:`` line naming the file and the problem (aliasing, size, depth), no traceback, quickly,
leaving what was on disk as it was.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.support.http_repo import build_repo, serve
from tests.test_yamlutil import ALIAS_FLIPS, aliased_doc, laughs

ROOT = Path(__file__).resolve().parents[2]
MEMORY = 1 << 30
SECONDS = 20.0  # wall-clock ceiling for one command (interpreter start-up included, on a busy machine)


def helmpy(*args: str, stdin: int | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``helmpy ARGS`` in a subprocess limited to MEMORY bytes of address space."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "helmpy", *args], cwd=ROOT, env=full_env, stdin=stdin,
                          capture_output=True, text=True, timeout=SECONDS, preexec_fn=limit)
    proc.elapsed = time.monotonic() - start  # type: ignore[attr-defined]
    return proc


def assert_one_error(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 1, nothing on stdout, exactly one short ``Error:`` line holding every needle; returns it."""
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr[-2000:]
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, proc.stderr[-2000:]
    assert len(proc.stderr) < 1000, proc.stderr[:2000]
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


def make_chart(root: Path, values: str = "replicas: 1\n", chart_yaml: str = "") -> Path:
    """A small Jinja2 chart whose one template renders every value (so values are really used)."""
    chart = root / "hostile"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(chart_yaml or "apiVersion: v2\nname: hostile\nversion: 0.1.0\n"
                                      "annotations:\n  helmpy.io/template-engine: jinja2\n")
    (chart / "values.yaml").write_text(values)
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  all: {{ Values | toJson | quote }}\n")
    return chart


# --- YAML bombs -------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", [["template", "r"], ["show", "values"], ["lint"], ["install", "r", "--dry-run=client"]])
def test_a_bomb_in_values_yaml_fails_at_once(tmp_path: Path, command: list[str]) -> None:
    chart = make_chart(tmp_path, values=laughs())
    before = (chart / "values.yaml").read_bytes()
    proc = helmpy(*command, str(chart))
    if command == ["lint"]:  # lint reports every rule, then one summary error
        assert "values.yaml: line 3, column 5: document contains excessive aliasing" in proc.stdout
        assert_one_error(proc, "1 chart(s) failed")
    else:
        assert_one_error(proc, "hostile/values.yaml: line 3, column 5: document contains excessive aliasing")
    assert proc.elapsed < SECONDS / 2  # type: ignore[attr-defined]
    assert (chart / "values.yaml").read_bytes() == before


def test_a_bomb_in_a_values_file_fails_at_once(tmp_path: Path) -> None:
    chart = make_chart(tmp_path)
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(laughs())
    assert_one_error(helmpy("template", "r", str(chart), "-f", str(bomb)),
                     f"failed to parse {bomb}: line 3, column 5: document contains excessive aliasing")


def test_a_bomb_from_stdin_fails_at_once(tmp_path: Path) -> None:
    chart = make_chart(tmp_path)
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(laughs())
    with bomb.open("rb") as fh:
        assert_one_error(helmpy("template", "r", str(chart), "-f", "-", stdin=fh.fileno()),
                         "failed to parse -: line 3, column 5: document contains excessive aliasing")


@pytest.mark.parametrize("command", [["template", "r"], ["show", "chart"]])
def test_a_bomb_in_chart_yaml_fails_at_once(tmp_path: Path, command: list[str]) -> None:
    chart_yaml = ("apiVersion: v2\nname: hostile\nversion: 0.1.0\nannotations:\n  helmpy.io/template-engine: jinja2\n"
                  + laughs(indent="").replace("a0:", "x-a0:"))
    chart = make_chart(tmp_path, chart_yaml=chart_yaml)
    assert_one_error(helmpy(*command, str(chart)), "hostile/Chart.yaml: line", "document contains excessive aliasing")


def test_a_bomb_in_a_kubeconfig_fails_at_once(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\n" + laughs())
    assert_one_error(helmpy("list", env={"KUBECONFIG": str(kubeconfig)}),
                     str(kubeconfig), "document contains excessive aliasing")


def _bomb_index(good: Path) -> bytes:
    """The good index with a billion laughs in the keywords of its first entry."""
    text = (good / "index.yaml").read_text()
    chain = ", ".join(["&k0 lol"] + [f"&k{i} [" + ", ".join([f"*k{i - 1}"] * 9) + "]" for i in range(1, 10)])
    return text.replace("  - apiVersion: v2\n", f"  - apiVersion: v2\n    keywords: [{chain}]\n", 1).encode()


def test_a_bomb_in_an_index_is_refused_and_the_old_state_kept(tmp_path: Path) -> None:
    repo = build_repo(tmp_path / "repo", [dict(name="alpha", version="1.0.0")])
    with serve(repo) as srv:
        ok = helmpy("repo", "add", "good", srv.url)
        assert ok.returncode == 0, ok.stderr
        config = Path(os.environ["HELMPY_CONFIG_HOME"]) / "repositories.yaml"
        cache = Path(os.environ["HELMPY_CACHE_HOME"]) / "repository"
        before = {p.name: p.read_bytes() for p in cache.iterdir()}
        config_before = config.read_bytes()
        (repo / "index.yaml").write_bytes(_bomb_index(repo))

        line = assert_one_error(helmpy("repo", "add", "bad", srv.url), "document contains excessive aliasing")
        assert "index.yaml" in line
        assert_one_error(helmpy("repo", "update"), f"failed to update the following repositories: [{srv.url}]")

        assert config.read_bytes() == config_before
        assert {p.name: p.read_bytes() for p in cache.iterdir()} == before
        search = helmpy("search", "repo", "alpha")
        assert search.returncode == 0 and "good/alpha" in search.stdout, search.stderr


def test_a_deeply_nested_json_index_is_refused(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "index.yaml").write_text('{"apiVersion": "v1", "entries": {"a": ' + "[" * 100_000 + "]" * 100_000 + "}}")
    with serve(repo) as srv:
        assert_one_error(helmpy("repo", "add", "deep", srv.url), "JSON nested deeper than 200 levels")
    assert not (Path(os.environ["HELMPY_CONFIG_HOME"]) / "repositories.yaml").exists()


@pytest.mark.parametrize(("width", "flip"), ALIAS_FLIPS[:2])
def test_alias_limit_matches_real_helm(helm, tmp_path: Path, width: int, flip: int) -> None:
    chart = tmp_path / "plain"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: plain\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    for aliases, refused in ((flip - 1, False), (flip, True)):
        values = tmp_path / f"v{aliases}.yaml"
        values.write_text(aliased_doc(width, aliases))
        theirs = helm("template", "r", str(chart), "-f", str(values), check=False)
        ours = helmpy("template", "r", str(chart), "-f", str(values))
        assert ("excessive aliasing" in theirs.stderr) is refused, theirs.stderr
        assert ("excessive aliasing" in ours.stderr) is refused, ours.stderr


# --- depth ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["a: " + "[" * 100_000 + "]" * 100_000, "a: " + "{a: " * 100_000 + "}" * 100_000,
                                  "- " * 100_000 + "x"], ids=["flow-lists", "flow-maps", "block-lists"])
def test_a_deeply_nested_values_file_is_a_user_error_not_a_crash(tmp_path: Path, text: str) -> None:
    chart = make_chart(tmp_path)
    deep = tmp_path / "deep.yaml"
    deep.write_text(text)
    assert_one_error(helmpy("template", "r", str(chart), "-f", str(deep)),
                     f"failed to parse {deep}: line 1, column", "nesting deeper than 200 levels",
                     "HELMPY_MAX_NESTING_DEPTH")


@pytest.mark.parametrize(("flag", "arg", "needle"), [
    ("--set-json", "a=" + "[" * 60_000 + "]" * 60_000, "JSON nested deeper than 200 levels"),
    ("--set-json", '{"a":' + "[" * 60_000 + "]" * 60_000 + "}", "JSON nested deeper than 200 levels"),
    ("--set", "a" + "[0]" * 40_000 + "=1", "value nesting level is greater than the maximum of 200"),
    ("--set", "a." * 60_000 + "b=1", "nested level is greater than maximum supported nested level of 30"),
    ("--set", "k" * 100_000, "has no value"),
    ("--set-json", "k" * 100_000, "failed parsing --set-json"),
], ids=["json-lists", "json-object", "set-indexes", "set-dotted", "set-huge-key", "json-huge-key"])
def test_deep_or_huge_set_arguments_are_short_user_errors(tmp_path: Path, flag: str, arg: str, needle: str) -> None:
    chart = make_chart(tmp_path)
    line = assert_one_error(helmpy("template", "r", str(chart), flag, arg), needle)
    assert len(line) < 400  # the 100 KB argument is cut, never repeated


# --- size caps --------------------------------------------------------------------------------------
def test_values_from_dev_zero_fail_at_once_naming_the_cap(tmp_path: Path) -> None:
    chart = make_chart(tmp_path)
    proc = helmpy("template", "r", str(chart), "-f", "/dev/zero")
    assert_one_error(proc, "/dev/zero: larger than the maximum values size of 5242880 bytes",
                     "HELMPY_MAX_VALUES_SIZE")
    assert proc.elapsed < SECONDS / 2  # type: ignore[attr-defined]


def test_endless_stdin_and_set_file_fail_at_once(tmp_path: Path) -> None:
    chart = make_chart(tmp_path)
    with open("/dev/zero", "rb") as zero:
        assert_one_error(helmpy("template", "r", str(chart), "-f", "-", stdin=zero.fileno()),
                         "-: larger than the maximum values size")
    assert_one_error(helmpy("template", "r", str(chart), "--set-file", "key=/dev/zero"),
                     "/dev/zero: larger than the maximum values size")


def test_the_size_cap_is_configurable_and_applies_to_urls(tmp_path: Path) -> None:
    chart = make_chart(tmp_path)
    site = tmp_path / "site"
    site.mkdir()
    (site / "big.yaml").write_text("a: " + "x" * 2000 + "\n")
    with serve(site) as srv:
        url = f"{srv.url}/big.yaml"
        assert helmpy("template", "r", str(chart), "-f", url).returncode == 0
        assert_one_error(helmpy("template", "r", str(chart), "-f", url, env={"HELMPY_MAX_VALUES_SIZE": "1000"}),
                         f"{url}: larger than the maximum values size of 1000 bytes")
    bad = helmpy("template", "r", str(chart), "-f", str(site / "big.yaml"), env={"HELMPY_MAX_VALUES_SIZE": "lots"})
    assert bad.returncode == 2 and "HELMPY_MAX_VALUES_SIZE='lots' is not a positive whole number" in bad.stderr


def test_reasonable_anchors_render_exactly_as_the_expanded_values(tmp_path: Path) -> None:
    anchored = ("defaults: &d {image: nginx, ports: &p [80, 443]}\nweb:\n  <<: *d\n  replicas: 2\n"
                "api:\n  <<: *d\n  image: api\n  more: *p\n")
    expanded = yaml.safe_dump(yaml.safe_load(anchored))
    a = helmpy("template", "r", str(make_chart(tmp_path / "a", values=anchored)))
    b = helmpy("template", "r", str(make_chart(tmp_path / "b", values=expanded)))
    assert a.returncode == 0 and a.stdout == b.stdout and '\\"more\\":[80,443]' in a.stdout, a.stderr


def test_a_bomb_in_a_template_or_through_from_yaml_fails_at_once(tmp_path: Path) -> None:
    chart = make_chart(tmp_path)
    (chart / "templates" / "bomb.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n"
                                                   + laughs(indent="  "))
    assert_one_error(helmpy("template", "r", str(chart)), "templates/bomb.yaml", "document contains excessive aliasing")
    (chart / "templates" / "bomb.yaml").unlink()
    (chart / "files").mkdir()
    (chart / "files" / "bomb.yaml").write_text(laughs())
    (chart / "templates" / "from.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: f\ndata:\n"
        "  parsed: {{ Files.Get('files/bomb.yaml') | fromYaml | toJson | quote }}\n")
    proc = helmpy("template", "r", str(chart))
    assert proc.returncode == 0, proc.stderr  # Helm's fromYaml returns {"Error": ...} instead of failing
    assert "fromYaml: line 3, column 5: document contains excessive aliasing" in proc.stdout
