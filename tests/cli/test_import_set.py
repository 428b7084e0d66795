"""The import-set test: what the small commands import, pinned so a start-up regression fails CI without timing.

Each case runs the real command in a fresh interpreter (the console script's entry point,
``helmpy.cli.main:main``) and reads ``sys.modules`` when it exits. ``-X importtime`` is not used for the set:
it does not report modules loaded through ``importlib.import_module``, which is how the CLI loads every
sub-command. Timing is measured by bench/bench_startup.py, never here.
"""

from __future__ import annotations

import functools
import http.server
import os
import site
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest

from helmpy.cli.main import LAZY_COMMANDS, LAZY_SUMMARIES
from helmpy.cli.main import cli as root
from tests.support.oci_registry import oci_registry  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import atexit, sys
OUT = sys.argv[1]
def dump():
    with open(OUT, "w") as fh:
        fh.write("\\n".join(sorted(sys.modules)))
atexit.register(dump)
sys.argv = ["helmpy", *sys.argv[2:]]
from helmpy.cli.main import main
main()
"""

# the API's result families: ``template`` and ``pull`` build their own one result class, not these
RESULT_FAMILIES = ("helmpy.api._release_results", "helmpy.api._chart_results", "helmpy.api._repo_results")
# what none of the small commands may import: the HTTP stack of requests, YAML/Jinja2 (only commands that
# read charts or values), the Kubernetes client, crypto, RE2, the HTTP servers and the Go template engine
HEAVY = ("requests", "urllib3", "charset_normalizer", "idna", "certifi", "yaml", "jinja2", "markupsafe", "kubernetes",
         "cryptography", "re2", "cheroot", "jsonschema", "helmpy.engine", "helmpy.server.app", "helmpy.kube")
# the Go template engine proper (its JSON/YAML writers serve Jinja charts' toJson/toYaml too)
GO_ENGINE = ("helmpy.engine.gotemplate.lexer", "helmpy.engine.gotemplate.parser", "helmpy.engine.gotemplate.exec",
             "helmpy.engine.gotemplate.templateset", "helmpy.engine.gotemplate.builtins", "helmpy.engine.gorender")
# the Jinja2 engine: Jinja2 itself, its sandbox, renderer and function modules
JINJA_ENGINE = ("jinja2", "markupsafe", "helmpy.engine.sandbox", "helmpy.engine.jinjarender", "helmpy.engine.funcs",
                "helmpy.engine.textfuncs", "helmpy.engine.datafuncs", "helmpy.engine.gofmt")


def imported(cwd: Path, *args: str, env: dict[str, str] | None = None) -> set[str]:
    """``sys.modules`` at the end of ``helmpy ARGS``. ``-S`` with the site directories on the path: what helmpy
    imports, not what a machine's ``.pth`` files import at interpreter start-up (certifi, on some)."""
    out = cwd / "modules.txt"
    env = {**(env or os.environ),
           "PYTHONPATH": os.pathsep.join([str(ROOT), *site.getsitepackages(), site.getusersitepackages()])}
    proc = subprocess.run([sys.executable, "-S", "-c", PROBE, str(out), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc
    return set(out.read_text().split("\n"))


def loaded(modules: set[str], banned: tuple[str, ...]) -> list[str]:
    """The modules of ``banned`` (packages with their sub-modules) found in ``modules``."""
    return sorted(m for m in modules if any(m == b or m.startswith(b + ".") for b in banned))


def test_version_imports_neither_click_nor_typing(tmp_path: Path) -> None:
    for args in (["version"], ["version", "--short"]):
        modules = imported(tmp_path, *args)
        # answered by helmpy/cli/fastpath.py: the interpreter's core, os and the entry point
        assert sorted(m for m in modules if m.startswith("helmpy")) == [
            "helmpy", "helmpy.cli", "helmpy.cli.fastpath", "helmpy.cli.main"], args
        assert loaded(modules, HEAVY + ("click", "typing", "re", "enum", "logging", "http", "ssl", "json",
                                        "tarfile", "pathlib")) == [], args


def test_help_imports_no_heavy_module(tmp_path: Path) -> None:
    for args in (["--help"], ["pull", "--help"], ["template", "--help"], ["repo", "--help"]):
        modules = imported(tmp_path, *args)
        assert loaded(modules, HEAVY + ("http", "ssl", "helmpy.repo", "helmpy.action", "helmpy.chart")) == [], args
    # the listing takes the summaries from LAZY_SUMMARIES: no command module is imported for it (the first
    # ``--help`` above built it with click and kept it)
    (tmp_path / "again").mkdir()
    assert sorted(m for m in imported(tmp_path / "again", "--help", env={**os.environ, "HELMPY_PARSE_CACHE": "0"})
                  if m.startswith("helmpy.cli.")) == [
        "helmpy.cli.fastpath", "helmpy.cli.main", "helmpy.cli.root", "helmpy.cli.signals"]
    # later runs print the kept text: no click, no typing, no pathlib
    kept = imported(tmp_path, "--help")
    assert sorted(m for m in kept if m.startswith("helmpy")) == [
        "helmpy", "helmpy.cli", "helmpy.cli.fastpath", "helmpy.cli.main", "helmpy.errors", "helmpy.limits",
        "helmpy.paths", "helmpy.settings"]
    assert loaded(kept, HEAVY + ("click", "typing", "re", "pathlib", "logging", "json")) == []


def test_the_help_listing_summaries_are_the_commands_own() -> None:
    ctx = click.Context(root)
    for name, summary in LAZY_SUMMARIES.items():
        cmd = root.get_command(ctx, name)
        assert cmd is not None, name
        for limit in (45, 80, 10**6):
            assert cmd.get_short_help_str(limit) == click.Command(name, help=summary).get_short_help_str(limit), name
    assert set(LAZY_SUMMARIES) <= set(LAZY_COMMANDS)


@pytest.fixture
def archive_site(tmp_path: Path) -> Iterator[str]:
    """A chart archive (made by ``helmpy create`` + ``package``) served over loopback."""
    served = tmp_path / "served"
    served.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for args in (["create", str(served / "web")], ["package", str(served / "web"), "-d", str(served)]):
        subprocess.run([sys.executable, "-m", "helmpy", *args], check=True, capture_output=True, env=env, cwd=ROOT,
                       timeout=120)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/web-0.1.0.tgz"
    server.shutdown()
    server.server_close()


def test_pull_url_without_repositories_uses_the_standard_library_http_client(tmp_path: Path, archive_site: str) -> None:
    dest = tmp_path / "out"
    dest.mkdir()
    modules = imported(tmp_path, "pull", archive_site, "-d", str(dest))
    assert (dest / "web-0.1.0.tgz").is_file()
    assert "http.client" in modules and "helmpy.repo.getter" in modules  # the download really ran
    # yaml stays: pull checks the archive's Chart.yaml before saving it
    assert loaded(modules, tuple(m for m in HEAVY if m != "yaml")) == []
    assert loaded(modules, ("helmpy.repo.index", "helmpy.repo.cache", "helmpy.registry")) == []
    # the host name reaches the resolver as ASCII bytes: no IDNA codec (and its stringprep tables) for it
    assert loaded(modules, ("encodings.idna", "stringprep")) == []
    assert "helmpy.api._pull_result" in modules and loaded(modules, RESULT_FAMILIES) == []
    # pulled again: the same bytes' verdict (the chart's name and version) comes from the parsed-inputs cache,
    # so neither the chart loader and model, nor tarfile, nor PyYAML is imported (nor shutil: only --untar uses it)
    again_dest = tmp_path / "again"
    again_dest.mkdir()
    again = imported(tmp_path, "pull", archive_site, "-d", str(again_dest))
    assert (again_dest / "web-0.1.0.tgz").read_bytes() == (dest / "web-0.1.0.tgz").read_bytes()
    assert "helmpy.diskcache" in again and loaded(again, HEAVY) == []
    assert loaded(again, ("helmpy.chart.loader", "helmpy.chart.model", "helmpy.semverutil", "tarfile", "shutil",
                          "helmpy.yamlutil")) == []


# what a render of a chart without dependencies, kubeVersion or schema, with no -f/--set, does not need
NOT_FOR_A_PLAIN_CHART = ("helmpy.chart.dependencies", "helmpy.values.strvals", "helmpy.values.schema", "jsonschema")


def test_template_of_a_created_chart_imports_jinja2_but_not_the_go_engine(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "helmpy", "create", "web"], check=True, capture_output=True, env=env,
                   cwd=tmp_path, timeout=120)
    modules = imported(tmp_path, "template", "rel", "web")
    assert "jinja2" in modules and "helmpy.engine.render" in modules  # it rendered
    assert loaded(modules, GO_ENGINE) == []
    assert "helmpy.api._template_result" in modules and loaded(modules, RESULT_FAMILIES) == []
    assert loaded(modules, ("requests", "urllib3", "http", "ssl", "kubernetes", "cryptography", "re2", "cheroot",
                            "jsonschema", "helmpy.repo.getter", "helmpy.kube", "helmpy.server", "helmpy.registry")) == []
    # run again: Chart.yaml, values.yaml and the rendered heads come from the parsed-inputs cache, so PyYAML is
    # not imported at all, nor tarfile (a chart directory is no archive)
    again = imported(tmp_path, "template", "rel", "web")
    assert "jinja2" in again and "helmpy.diskcache" in again
    assert loaded(again, ("yaml", "helmpy.yamlutil", "helmpy._yamlguard", "helmpy.engine.headscan", "tarfile")) == []
    assert loaded(again, NOT_FOR_A_PLAIN_CHART) == []


def test_template_of_a_go_chart_imports_the_go_engine_but_not_jinja2(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "helmpy", "create", "--engine", "go", "web"], check=True,
                   capture_output=True, env=env, cwd=tmp_path, timeout=120)
    cold = imported(tmp_path, "template", "rel", "web")  # stores the parse trees (a cache write may use tempfile)
    assert loaded(cold, JINJA_ENGINE) == []
    modules = imported(tmp_path, "template", "rel", "web")  # warm: what a user's every later run imports
    assert "helmpy.engine.gorender" in modules and "helmpy.engine.gotemplate.exec" in modules  # it rendered
    # the engine-neutral types (release, capabilities, limits, code store) come from modules of their own
    assert {"helmpy.engine.context", "helmpy.engine.guard", "helmpy.engine.codestore"} <= modules
    assert loaded(modules, JINJA_ENGINE) == []
    # imported by the first regex / fromToml call, by archive reading/writing and by a cache write, if any: a
    # chart directory's warm render needs none of them
    assert loaded(modules, ("re2", "tomllib", "tarfile", "tempfile", "shutil")) == []
    assert loaded(modules, NOT_FOR_A_PLAIN_CHART) == []
    # toYaml's emitter but not PyYAML (fromYaml's), nor toToml's writer; the parse trees come from the store, so
    # no lexer or parser; no randomness (no time/random function is called); no JSON module (no toJson/fromJson)
    assert "helmpy.engine.gotemplate.goyaml" in modules
    assert loaded(modules, ("yaml", "helmpy.yamlutil", "helmpy.engine.gotemplate.gotoml", "decimal",
                            "helmpy.engine.gotemplate.lexer", "helmpy.engine.gotemplate.parser", "random",
                            "json")) == []
    assert loaded(modules, ("requests", "urllib3", "http", "ssl", "kubernetes", "cryptography", "cheroot",
                            "jsonschema", "helmpy.repo.getter", "helmpy.kube", "helmpy.server", "helmpy.registry")) == []


# what ``push`` and ``pull oci://`` import from helmpy outside the CLI and API layers, in full: a module added
# to either path is a start-up cost every transfer pays (bench/bench_oci.py times them against Helm)
REGISTRY_CORE = ["helmpy", "helmpy.action", "helmpy.action.chartref", "helmpy.chart", "helmpy.chart.archive",
                 "helmpy.errors", "helmpy.fsutil", "helmpy.gctune", "helmpy.gunzip", "helmpy.jsondepth",
                 "helmpy.lazyre", "helmpy.limits", "helmpy.logfmt", "helmpy.paths", "helmpy.redact", "helmpy.registry",
                 "helmpy.registry.auth", "helmpy.registry.blobs", "helmpy.registry.chartformat",
                 "helmpy.registry.client", "helmpy.registry.credentials", "helmpy.registry.mounts", "helmpy.registry.reference", "helmpy.repo",
                 "helmpy.repo.getter", "helmpy.semverutil", "helmpy.settings"]
PULL_OCI = sorted([*REGISTRY_CORE, "helmpy.action.pull", "helmpy.registry.pull", "helmpy.repo.downloader"])
# push loads the archive as Helm's push does (Chart.yaml for the config blob, values.yaml checked); right after
# ``package`` the values come from the parsed-inputs cache, the Chart.yaml package wrote is parsed (PyYAML)
PUSH_OCI = sorted([*REGISTRY_CORE, "helmpy._yamlguard", "helmpy.action.codecache", "helmpy.chart.ignore",
                   "helmpy.chart.loader", "helmpy.chart.model", "helmpy.diskcache", "helmpy.gojson", "helmpy.gokeys",
                   "helmpy.registry.push", "helmpy.values", "helmpy.yamlcache", "helmpy.yamlutil"])


def own(modules: set[str]) -> list[str]:
    """The helmpy modules of ``modules`` outside the CLI, its fork server client and the API layer (those are
    pinned by the tests of the commands that share them, and tests/forkserver/)."""
    return sorted(m for m in modules if m.split(".")[0] == "helmpy"
                  and not m.startswith(("helmpy.cli", "helmpy.api", "helmpy.forkserver")))


def test_push_and_pull_oci_import_the_registry_client_and_nothing_else(tmp_path: Path, oci_registry: Any) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for args in (["create", str(tmp_path / "web")], ["package", str(tmp_path / "web"), "-d", str(tmp_path)]):
        subprocess.run([sys.executable, "-m", "helmpy", *args], check=True, capture_output=True, env=env, cwd=ROOT,
                       timeout=120)
    pushed = imported(tmp_path, "push", str(tmp_path / "web-0.1.0.tgz"), f"oci://{oci_registry.host}/charts",
                      "--plain-http")
    assert "helmpy.registry.push" in pushed and "http.client" in pushed  # it pushed
    dest = tmp_path / "out"
    dest.mkdir()
    pulled = imported(tmp_path, "pull", f"oci://{oci_registry.host}/charts/web", "--version", "0.1.0",
                      "--plain-http", "-d", str(dest))
    assert (dest / "web-0.1.0.tgz").read_bytes() == (tmp_path / "web-0.1.0.tgz").read_bytes()  # it pulled
    assert own(pushed) == PUSH_OCI
    assert own(pulled) == PULL_OCI
    for modules in (pushed, pulled):
        # the result dataclasses of the other commands are not built (``helmpy.api.results`` imports each family
        # on first use); no chart-repository index code, no template engine
        assert loaded(modules, ("helmpy.api._release_results", "helmpy.api._chart_results",
                                "helmpy.api._template_result")) == []
        assert loaded(modules, tuple(m for m in HEAVY if m != "yaml")) == []
        assert loaded(modules, ("helmpy.repo.cache", "helmpy.repo.index", "helmpy.repo.repofile",
                                "helmpy.repo.resolver", "helmpy.release", "helmpy.storage", "subprocess")) == []
    # the layer is checked by the safe archive reader; Chart.yaml is parsed by whatever uses the chart
    assert loaded(pulled, ("yaml", "helmpy.yamlutil", "helmpy._yamlguard", "tempfile")) == []


# what a command against a real API server may not import: the official Kubernetes client and its HTTP stack
KUBE_CLIENT_LIBS = ("kubernetes", "urllib3", "requests", "requests_oauthlib", "oauthlib", "google", "websocket",
                    "charset_normalizer", "dateutil", "six", "certifi", "jsonschema", "cryptography")


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from tests.support import kubeapi_server

    server = kubeapi_server.start(tmp_path_factory.mktemp("import-set-kubeapi"))
    yield server
    server.stop()


def test_commands_against_an_api_server_use_helmpys_own_client(tmp_path: Path, api_server: Any) -> None:
    env = api_server.env(HELMPY_QUIET="1")
    subprocess.run([sys.executable, "-m", "helmpy", "create", "web"], check=True, capture_output=True,
                   env={**env, "PYTHONPATH": str(ROOT)}, cwd=tmp_path, timeout=120)
    install = imported(tmp_path, "install", "imports", "web", env=env)
    assert "helmpy.kube.remote" in install and "helmpy.kube.transport" in install  # it talked to the server
    assert loaded(install, KUBE_CLIENT_LIBS) == []
    listed = imported(tmp_path, "list", "-A", env=env)
    assert "helmpy.storage.secrets" in listed and "http.client" in listed
    # a listing renders no chart: no template engine, and no exec-plugin/OIDC machinery for a token user
    assert loaded(listed, KUBE_CLIENT_LIBS + ("jinja2", "markupsafe", "helmpy.engine", "helmpy.kube.authprovider",
                                              "subprocess", "helmpy.kube.embedded", "sqlite3")) == []
