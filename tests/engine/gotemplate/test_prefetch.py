"""A cold render of a large Go chart shares its parse with a forked helper (helmpy/engine/gotemplate/prefetch.py):
the console script's process, run for real, renders exactly what it renders alone (no code store: no helper),
stores every file's trees, and a file that does not parse fails with the same error wherever it falls."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helmpy.engine.gotemplate import prefetch
from helmpy.engine.gotemplate.helmfuncs import HelmContext, function_map
from helmpy.engine.gotemplate.templateset import TemplateSet, helm_parse_order

ROOT = Path(__file__).resolve().parents[3]
FILES = 48


def _chart(tmp_path: Path, broken: str | None = None) -> Path:
    """A Go chart whose templates hold about twice :data:`prefetch.MIN_TEXT` characters."""
    chart = tmp_path / "big"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: big\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("items: [a, b, c]\nlabels: {team: x}\n")
    (chart / "templates" / "_helpers.tpl").write_text(
        '{{- define "big.labels" -}}\napp: {{ .Chart.Name }}\n{{ toYaml .Values.labels }}\n{{- end }}\n')
    body = "".join(
        f'  k{j}: {{{{ printf "%s-%d" .Release.Name {j} | quote }}}}{{{{/* {"x" * 40} */}}}}\n'
        f'  {{{{- if gt (len .Values.items) {j % 5} }}}}\n  r{j}: {{{{ index .Values.items 0 | upper }}}}\n'
        "  {{- end }}\n" for j in range(60))
    per_file = prefetch.MIN_TEXT * 2 // FILES
    for i in range(FILES):
        text = (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i:03}\n  labels:\n"
                f'    {{{{- include "big.labels" . | nindent 4 }}}}\ndata:\n')
        while len(text) < per_file:
            text += body
        (chart / "templates" / f"cm-{i:03}.yaml").write_text(text)
    if broken is not None:
        (chart / "templates" / broken).write_text("a: {{ .Values.items | nosuchfunction }}\n")
    return chart


def _helmpy(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The console script's process as a user starts it (a one-shot process: the helper may fork)."""
    environ = {**os.environ, "HELMPY_FORKSERVER": "0", "HELMPY_CACHE_HOME": str(home), "PYTHONPATH": str(ROOT),
               **env}
    return subprocess.run([sys.executable, "-m", "helmpy", *args], capture_output=True, text=True, env=environ,
                          timeout=300, cwd=ROOT)


def test_a_cold_render_with_the_helper_is_the_render_without_it(tmp_path: Path) -> None:
    chart = _chart(tmp_path)
    alone = _helmpy(["template", "x", str(chart)], tmp_path / "alone", HELMPY_TEMPLATE_CACHE="0")
    assert alone.returncode == 0, alone.stderr
    cold = _helmpy(["template", "x", str(chart), "--debug"], tmp_path / "home")
    assert cold.returncode == 0, cold.stderr
    assert "parse helper pid=" in cold.stderr and " joined after " in cold.stderr, cold.stderr
    assert cold.stdout == alone.stdout
    stored = [p for p in (tmp_path / "home" / "templates").rglob("*") if p.is_file()]
    assert len(stored) == FILES + 1  # every file's trees, the helper's share included
    warm = _helmpy(["template", "x", str(chart), "--debug"], tmp_path / "home")
    assert warm.returncode == 0 and warm.stdout == alone.stdout
    assert "parse helper" not in warm.stderr  # nothing left to parse: no helper


@pytest.mark.parametrize("broken", ["a-broken.yaml", "zz-broken.yaml"])
def test_a_file_that_does_not_parse_fails_as_it_fails_alone(tmp_path: Path, broken: str) -> None:
    """a-broken.yaml sorts among the last in Helm's parse order (the helper's share), zz-broken.yaml first (this
    process's): the error is the first failing file's, as without a helper."""
    chart = _chart(tmp_path, broken)
    order = helm_parse_order(f"big/templates/{p.name}" for p in (chart / "templates").iterdir())
    where = order.index(f"big/templates/{broken}")
    assert where >= len(order) - 2 if broken.startswith("a") else where == 0  # (only _helpers.tpl sorts after a-)
    alone = _helmpy(["template", "x", str(chart)], tmp_path / "alone", HELMPY_TEMPLATE_CACHE="0")
    with_helper = _helmpy(["template", "x", str(chart), "--debug"], tmp_path / "home")
    assert alone.returncode == with_helper.returncode == 1
    errors = [[line for line in r.stderr.splitlines() if line.startswith("Error: ")] for r in (alone, with_helper)]
    assert errors[0] == [f"Error: parse error at (big/templates/{broken}:1): function \"nosuchfunction\" not "
                         "defined"], alone.stderr
    assert errors[1] == errors[0]
    assert "parse helper pid=" in with_helper.stderr


def test_a_library_process_never_forks(tmp_path: Path) -> None:
    """In a process that goes on after the render (a test session, a library user) no helper starts: files are
    added in order here."""
    assert not prefetch.allowed()
    chart = _chart(tmp_path)
    files = [(f"big/templates/{p.name}", p.read_text()) for p in sorted((chart / "templates").iterdir())]
    tset = TemplateSet(function_map(HelmContext()))
    ticks: list[int] = []
    tset.add_files(files, seconds_left=60, tick=lambda: ticks.append(1))
    assert len(ticks) == len(files) and tset.has("big.labels") and tset.has("big/templates/cm-000.yaml")


HELPER_SCRIPT = """
import os, sys, time
from helmpy.gctune import one_shot_process
from helmpy.engine.gotemplate import prefetch
one_shot_process()
files = [(f"f{i}", "x" * prefetch.MIN_TEXT) for i in range(4)]
helper = prefetch.start(files, lambda name, text: True, lambda name, text: time.sleep(60), 120)
print(helper.pid, helper.split, flush=True)
if sys.argv[1] == "cancel":
    started = time.monotonic()
    helper.cancel()
    print(round(time.monotonic() - started, 3), flush=True)
else:
    time.sleep(60)
"""


def _gone(pid: int, within: float) -> bool:
    import time

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] == "Z":  # a zombie: ended, not yet reaped
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_a_helper_is_ended_by_cancel_and_dies_with_its_process(tmp_path: Path) -> None:
    """A helper never outlives the command: cancel() (an error, an interrupt) kills it, and a command killed
    with SIGKILL takes its helper with it (the parent-death signal), long before the helper's own alarm."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HELMPY_CACHE_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", HELPER_SCRIPT, "cancel"], capture_output=True, text=True, env=env,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    pid, split = (int(v) for v in done.stdout.split()[:2])
    assert split == 3 and float(done.stdout.split()[2]) < 5  # at most 45% of the text: the last of 4 equal files
    assert _gone(pid, 1)
    proc = subprocess.Popen([sys.executable, "-c", HELPER_SCRIPT, "sleep"], stdout=subprocess.PIPE, text=True,
                            env=env)
    try:
        assert proc.stdout is not None
        helper = int(proc.stdout.readline().split()[0])
        assert not _gone(helper, 0.3)  # running, sleeping in its parse
        proc.kill()
        proc.wait(timeout=10)
        assert _gone(helper, 5)
    finally:
        proc.kill()
