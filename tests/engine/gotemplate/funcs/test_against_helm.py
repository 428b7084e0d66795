"""Every case of :mod:`cases` rendered by real Helm (one ``helm template`` run for all of them) and compared
with the Python function's result printed the same way (``%v`` or ``toJson``), and with its ``typeOf``."""

from __future__ import annotations

import copy
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from helmpy.engine.gotemplate.funcs import Seams
from helmpy.engine.gotemplate.funcs._goval import sprint_v, type_of
from helmpy.engine.gotemplate.helmfuncs import sprig_functions
from tests.engine.gotemplate.funcs import helmcases
from tests.engine.gotemplate.funcs.cases import ALL

pytestmark = pytest.mark.helm

CASES = [(family, i, expr, mode, py) for family, cases in ALL.items() for i, (expr, mode, py) in enumerate(cases)]

# Values this model cannot give the Go type of (documented in the package): Go's plain int vs
# Sprig's int from cast (both are Python ints).
TYPE_EXEMPT = {"(int 3)", "(len (list))", '(atoi "1")'}


@pytest.fixture(scope="module")
def helm_results(helm_bin_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str]]:
    root = tmp_path_factory.mktemp("sprig-cases")
    home = root / "home"

    def helm(*args: str, check: bool = True, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        import os

        env = {**os.environ, "HELM_CONFIG_HOME": str(home / "c"), "HELM_CACHE_HOME": str(home / "k"),
               "HELM_DATA_HOME": str(home / "d"), "HOME": str(home), **(extra_env or {})}
        proc = subprocess.run([str(helm_bin_dir / "helm"), *args], capture_output=True, text=True, env=env,
                              timeout=600)
        if check and proc.returncode:
            raise AssertionError(proc.stderr)
        return proc

    return helmcases.render_all(helm, root, [(expr, mode) for _f, _i, expr, mode, _p in CASES])


@pytest.fixture(scope="module")
def funcs() -> dict:
    """Helm's wired function map (Sprig plus Helm's data functions), with a UTC clock."""
    return sprig_functions(Seams(now=lambda: datetime.now(UTC), local=UTC))


@pytest.mark.parametrize("index", range(len(CASES)), ids=[f"{f}-{i}" for f, i, *_ in CASES])
def test_function_matches_helm(index: int, helm_results: list[tuple[str, str]], funcs: dict) -> None:
    _family, _i, expr, mode, py = CASES[index]
    want_text, want_type = helm_results[index]
    value = py(funcs, copy.deepcopy(helmcases.PY_VALUES))
    got = funcs["toJson"](value) if mode == "json" else sprint_v(value)
    assert got == want_text, f"{expr}: helm {want_text!r}, helmpy {got!r}"
    if not any(x in expr for x in TYPE_EXEMPT) and not expr.startswith(("typeOf", "kindOf")):
        assert type_of(value) == want_type, f"typeOf ({expr}): helm {want_type}, helmpy {type_of(value)}"
