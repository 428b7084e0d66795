"""``repo add/update/list/remove``, ``search repo``, ``pull`` and ``push`` through the CLI, against real servers."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import yaml

from helmpy import paths
from tests.support.http_repo import build_repo, chart_archive, closed_port_url, serve

CHARTS = [
    dict(name="alpha", version="1.0.0", keywords=["web", "proxy"], description="Alpha web proxy"),
    dict(name="alpha", version="0.9.0", description="Alpha web proxy (old)"),
    dict(name="alpha", version="1.1.0-rc.1", description="Alpha web proxy"),
    dict(name="beta", version="2.0.0", app_version="2.0", description="A database that talks to alpha"),
]


@pytest.fixture
def repo_srv(tmp_path: Path):
    srv = serve(build_repo(tmp_path / "repo", CHARTS))
    yield srv
    srv.stop()


def test_add_list_update_remove(cli, repo_srv) -> None:
    r = cli("repo", "add", "myrepo", repo_srv.url)
    assert r.exit_code == 0, r
    assert r.stdout == '"myrepo" has been added to your repositories\n'
    cfg = paths.repository_config()
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    cache_dir = paths.repository_cache()
    assert (cache_dir / "myrepo-index.yaml").read_bytes() == (Path(repo_srv.root) / "index.yaml").read_bytes()
    assert (cache_dir / "myrepo-charts.txt").read_text().split() == ["alpha", "beta"]

    r = cli("repo", "add", "myrepo", repo_srv.url)
    assert r.exit_code == 0 and "already exists with the same configuration, skipping" in r.stdout
    r = cli("repo", "add", "myrepo", repo_srv.url + "/other")
    assert r.exit_code == 1
    assert r.stderr == "Error: repository name (myrepo) already exists, please specify a different name\n"
    assert cli("repo", "add", "bad/name", repo_srv.url).stderr.startswith(
        "Error: repository name (bad/name) contains '/'")

    r = cli("repo", "list")
    assert r.stdout.splitlines()[0].split() == ["NAME", "URL"]
    assert r.stdout.splitlines()[1].split() == ["myrepo", repo_srv.url]
    assert cli("repo", "ls", "-o", "json").json == [{"name": "myrepo", "url": repo_srv.url}]
    assert yaml.safe_load(cli("repo", "list", "-o", "yaml").stdout) == [{"name": "myrepo", "url": repo_srv.url}]
    assert cli("repo", "list", "--no-headers").stdout.split() == ["myrepo", repo_srv.url]

    r = cli("repo", "update")
    assert r.exit_code == 0, r
    assert r.stdout == ('Hang tight while we grab the latest from your chart repositories...\n'
                        '...Successfully got an update from the "myrepo" chart repository\n'
                        'Update Complete. ⎈Happy Helming!⎈\n')
    assert cli("repo", "up", "myrepo").exit_code == 0
    r = cli("repo", "update", "nope")
    assert r.exit_code == 1 and "no repositories found matching 'nope'.  Nothing will be updated" in r.stderr

    r = cli("repo", "rm", "myrepo")
    assert r.stdout == '"myrepo" has been removed from your repositories\n'
    assert not (cache_dir / "myrepo-index.yaml").exists()
    assert not (cache_dir / "myrepo-helmpy.json").exists()
    assert cli("repo", "remove", "myrepo").stderr == "Error: no repositories configured\n"
    r = cli("repo", "list")
    assert r.exit_code == 0 and r.stderr == "no repositories to show\n"
    assert cli("repo", "list", "-o", "json").stdout == "[]\n"
    assert cli("repo", "update").stderr == "Error: no repositories found. You must add one before updating\n"


def test_remove_unknown_name(cli, repo_srv) -> None:
    cli("repo", "add", "a", repo_srv.url)
    r = cli("repo", "remove", "zzz")
    assert r.exit_code == 1 and r.stderr == 'Error: no repo named "zzz" found\n'


def _one_error_line(r) -> str:
    assert r.exit_code == 1, r
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), r
    assert "Traceback" not in r.stderr
    return lines[0]


def test_add_errors(cli, tmp_path: Path) -> None:
    root = build_repo(tmp_path / "r", CHARTS[:1])
    url = closed_port_url()
    line = _one_error_line(cli("repo", "add", "x", url))
    assert line == f'Error: looks like "{url}" is not a valid chart repository or cannot be reached: ' \
                   f'failed to fetch {url}/index.yaml : connection refused'
    with serve(root, auth=("admin", "s3cret")) as srv:
        line = _one_error_line(cli("repo", "add", "x", srv.url))
        assert "401 Unauthorized" in line
        r = cli("repo", "add", "x", srv.url, "--username", "admin", "--password", "s3cret")
        assert r.exit_code == 0, r
        # the password can come from stdin
        r = cli("repo", "add", "y", srv.url, "--username", "admin", "--password-stdin", input="s3cret\n")
        assert r.exit_code == 0, r
        stored = yaml.safe_load(paths.repository_config().read_text())["repositories"][1]
        assert stored["password"] == "s3cret" and stored["username"] == "admin"
    with serve(root) as srv:
        line = _one_error_line(cli("repo", "add", "z", srv.url + "/nothing-here"))
        assert "404 Not Found" in line
    with serve(root, fail_status=500) as srv:
        assert "500 Internal Server Error" in _one_error_line(cli("repo", "add", "z", srv.url))
    with serve(root, garbage=True) as srv:
        line = _one_error_line(cli("repo", "add", "z", srv.url))
        assert "is not a valid chart repository" in line and "index.yaml" in line
    (root / "index.yaml").write_text("entries: {}\n")
    with serve(root) as srv:
        assert "no API version specified" in _one_error_line(cli("repo", "add", "z", srv.url))
    assert not paths.repository_config().exists() or "name: z" not in paths.repository_config().read_text()
    r = cli("repo", "add", "old", "https://kubernetes-charts.storage.googleapis.com")
    assert "is no longer available" in _one_error_line(r)


def test_update_failure_lists_urls(cli, repo_srv, tmp_path: Path) -> None:
    assert cli("repo", "add", "good", repo_srv.url).exit_code == 0
    broken = serve(build_repo(tmp_path / "b", CHARTS[:1]))
    assert cli("repo", "add", "bad", broken.url).exit_code == 0
    broken.stop()
    r = cli("repo", "update")
    assert r.exit_code == 1
    assert '...Successfully got an update from the "good" chart repository' in r.stdout
    assert f'...Unable to get an update from the "bad" chart repository ({broken.url}):\n\t' in r.stdout
    assert r.stderr == f"Error: failed to update the following repositories: [{broken.url}]\n"


# --- search -----------------------------------------------------------------------------------------
def test_search_table_json_yaml(cli, repo_srv) -> None:
    cli("repo", "add", "r", repo_srv.url)
    r = cli("search", "repo", "alpha")
    assert r.exit_code == 0, r
    lines = r.stdout.splitlines()
    assert lines[0].split("\t")[0].rstrip() == "NAME"
    assert [line.split("\t")[0].rstrip() for line in lines[1:]] == ["r/alpha", "r/beta"]
    assert lines[1].split("\t")[1].strip() == "1.0.0"  # the pre-release is hidden, newest stable shown
    assert cli("search", "repo", "alpha", "-o", "json").json == [
        {"name": "r/alpha", "version": "1.0.0", "app_version": "1.0", "description": "Alpha web proxy"},
        {"name": "r/beta", "version": "2.0.0", "app_version": "2.0", "description": "A database that talks to alpha"}]
    out = cli("search", "repo", "alpha", "-o", "json").stdout
    assert out.index('"name"') < out.index('"version"') < out.index('"app_version"')  # Go struct order
    assert yaml.safe_load(cli("search", "repo", "beta", "-o", "yaml").stdout)[0]["name"] == "r/beta"
    assert cli("search", "repo", "nothing-matches").stdout == "No results found\n"
    r = cli("search", "repo", "nothing-matches", "--fail-on-no-result")
    assert r.exit_code == 1 and r.stderr == "Error: no results found\n"
    assert cli("search", "repo", "zzz", "-o", "json").stdout == "[]\n"


def test_search_versions_devel_constraint_regexp(cli, repo_srv) -> None:
    cli("repo", "add", "r", repo_srv.url)

    def versions(*args: str) -> list[tuple[str, str]]:
        return [(i["name"], i["version"]) for i in cli("search", "repo", *args, "-o", "json").json]

    assert versions("alpha", "-l") == [("r/alpha", "1.0.0"), ("r/alpha", "0.9.0"), ("r/beta", "2.0.0")]
    assert versions("alpha", "--devel") == [("r/alpha", "1.1.0-rc.1"), ("r/beta", "2.0.0")]
    assert versions("alpha", "--version", "<1.0.0") == [("r/alpha", "0.9.0")]
    assert versions("alpha", "--version", "^1", "--versions") == [("r/alpha", "1.0.0")]
    assert versions() == [("r/alpha", "1.0.0"), ("r/beta", "2.0.0")]
    assert versions("-r", "^be") == [("r/beta", "2.0.0")]
    assert versions("--regexp", "DATA") == []  # regexps are case-sensitive
    assert versions("PROXY") == [("r/alpha", "1.0.0")]  # literal search is not
    r = cli("search", "repo", "-r", "(")
    assert r.exit_code == 1 and r.stderr.startswith("Error: error parsing regexp")


def test_search_max_col_width(cli, repo_srv) -> None:
    cli("repo", "add", "r", repo_srv.url)
    out = cli("search", "repo", "beta", "--max-col-width", "10").stdout
    assert out.splitlines()[1].split("\t")[3] == "A datab..."


def test_search_without_compact_cache_falls_back_to_yaml(cli, repo_srv) -> None:
    cli("repo", "add", "r", repo_srv.url)
    fast = paths.repository_cache() / "r-helmpy.json"
    fast.unlink()
    assert cli("search", "repo", "beta", "-o", "json").json[0]["name"] == "r/beta"
    assert fast.exists()  # rebuilt
    fast.write_text("{not json")
    assert cli("search", "repo", "beta", "-o", "json").json[0]["name"] == "r/beta"


def test_search_skips_corrupt_cache_with_warning(cli, repo_srv, caplog) -> None:
    cli("repo", "add", "r", repo_srv.url)
    cli("repo", "add", "s", repo_srv.url)
    (paths.repository_cache() / "s-index.yaml").unlink()
    r = cli("search", "repo", "beta", "-o", "json")
    assert r.exit_code == 0 and [i["name"] for i in r.json] == ["r/beta"]
    assert "repo s is corrupt or missing" in caplog.text  # a logged warning (stderr in real runs)


# --- pull / push ------------------------------------------------------------------------------------
def test_pull_and_untar(cli, repo_srv, tmp_path: Path) -> None:
    cli("repo", "add", "r", repo_srv.url)
    dest = tmp_path / "dest"
    dest.mkdir()
    r = cli("pull", "r/alpha", "-d", str(dest))
    assert r.exit_code == 0, r
    assert (dest / "alpha-1.0.0.tgz").read_bytes() == (Path(repo_srv.root) / "alpha-1.0.0.tgz").read_bytes()
    r = cli("pull", "r/alpha", "--version", "0.9.0", "-d", str(dest), "--untar")
    assert r.exit_code == 0, r
    assert (dest / "alpha" / "Chart.yaml").is_file() and (dest / "alpha" / "templates" / "cm.yaml").is_file()
    r = cli("pull", "r/alpha", "-d", str(dest), "--untar")
    assert "failed to untar: a file or directory with the name" in _one_error_line(r)
    r = cli("pull", "r/alpha", "-d", str(dest), "--untar", "--untardir", "sub", "--devel")
    assert r.exit_code == 0 and "1.1.0-rc.1" in (dest / "sub" / "alpha" / "Chart.yaml").read_text()
    r = cli("pull", "r/nope", "-d", str(dest))
    assert _one_error_line(r) == ('Error: chart "nope" matching  not found in r index. '
                                  "(try 'helmpy repo update'): no chart name found")
    r = cli("pull", "r/alpha", "--version", "9.9.9", "-d", str(dest))
    assert "no chart version found for alpha-9.9.9" in _one_error_line(r)
    r = cli("pull", "unknown/alpha", "-d", str(dest))
    assert _one_error_line(r) == "Error: repo unknown not found"


def test_pull_repo_flag_and_absolute_url(cli, repo_srv, tmp_path: Path) -> None:
    dest = tmp_path / "d"
    dest.mkdir()
    r = cli("pull", "beta", "--repo", repo_srv.url, "-d", str(dest))
    assert r.exit_code == 0, r
    assert (dest / "beta-2.0.0.tgz").exists()
    r = cli("pull", f"{repo_srv.url}/alpha-0.9.0.tgz", "-d", str(dest))
    assert r.exit_code == 0, r
    assert (dest / "alpha-0.9.0.tgz").exists()
    r = cli("pull", f"{repo_srv.url}/missing-1.0.0.tgz", "-d", str(dest))
    assert _one_error_line(r) == f"Error: failed to fetch {repo_srv.url}/missing-1.0.0.tgz : 404 Not Found"


def test_pull_digest_mismatch_leaves_nothing(cli, repo_srv, tmp_path: Path) -> None:
    cli("repo", "add", "r", repo_srv.url)
    # the server now serves different bytes than the index's digest promises
    (Path(repo_srv.root) / "alpha-1.0.0.tgz").write_bytes(chart_archive("alpha", "1.0.0", description="evil"))
    dest = tmp_path / "d"
    dest.mkdir()
    for extra in ([], ["--untar"]):
        r = cli("pull", "r/alpha", "-d", str(dest), *extra)
        assert "digest mismatch" in _one_error_line(r)
        assert list(dest.iterdir()) == []
    content = paths.content_cache()
    assert not content.exists() or not any(p.is_file() for p in content.rglob("*"))


def test_pull_of_a_corrupt_archive_is_an_error_and_saves_nothing(cli, tmp_path: Path) -> None:
    root = build_repo(tmp_path / "r", CHARTS[:1])
    (root / "broken-1.0.0.tgz").write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    dest = tmp_path / "d"
    dest.mkdir()
    with serve(root) as srv:
        for extra in ([], ["--untar"]):
            r = cli("pull", srv.url.rstrip("/") + "/broken-1.0.0.tgz", "-d", str(dest), *extra)
            assert r.exit_code == 1 and "broken-1.0.0.tgz" in _one_error_line(r)
            assert list(dest.iterdir()) == []


def test_pull_with_auth(cli, tmp_path: Path) -> None:
    root = build_repo(tmp_path / "r", CHARTS[:1])
    dest = tmp_path / "d"
    dest.mkdir()
    with serve(root, auth=("u", "p")) as srv:
        assert cli("repo", "add", "sec", srv.url, "--username", "u", "--password", "p").exit_code == 0
        assert cli("pull", "sec/alpha", "-d", str(dest)).exit_code == 0
        r = cli("pull", "alpha", "--repo", srv.url, "-d", str(tmp_path))
        assert "401 Unauthorized" in _one_error_line(r)


def test_push(cli, tmp_path: Path) -> None:
    root = tmp_path / "served"
    root.mkdir()
    pkg = tmp_path / "gamma-0.1.0.tgz"
    pkg.write_bytes(chart_archive("gamma", "0.1.0"))
    with serve(root, auth=("u", "p")) as srv:
        r = cli("push", str(pkg), srv.url)
        assert "401 Unauthorized" in _one_error_line(r)
        r = cli("push", str(pkg), srv.url, "--username", "u", "--password", "p")
        assert r.exit_code == 0, r
        assert r.stdout.splitlines()[-1] == "Done."
        assert (root / "gamma-0.1.0.tgz").read_bytes() == pkg.read_bytes()
        r = cli("push", str(pkg), srv.url, "--username", "u", "--password", "p")
        assert "gamma-0.1.0 already exists" in _one_error_line(r) and "--force" in r.stderr
        assert cli("push", str(pkg), srv.url, "--username", "u", "--password", "p", "--force").exit_code == 0
        bad = tmp_path / "bad.tgz"
        bad.write_bytes(b"\x1f\x8bnot really")
        r = cli("push", str(bad), srv.url, "--username", "u", "--password", "p")
        assert "bad.tgz: corrupt chart archive" in _one_error_line(r)  # checked before uploading
    r = cli("push", str(pkg), "unknown-repo")
    assert 'repo "unknown-repo" not found' in _one_error_line(r)


# --- interop with the real Helm ---------------------------------------------------------------------
@pytest.mark.helm
def test_helm_packaged_repo_is_added_searched_and_pulled(cli, helm, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    served = tmp_path / "served"
    served.mkdir()
    for name, version in (("webapp", "1.2.0"), ("webapp", "1.3.0-beta.1"), ("cache", "0.5.0")):
        helm("create", name, cwd=src)
        chart_yaml = src / name / "Chart.yaml"
        chart_yaml.write_text(chart_yaml.read_text().replace("version: 0.1.0", f"version: {version}")
                              .replace("A Helm chart for Kubernetes", f"The {name} service"))
        helm("package", str(src / name), "-d", str(served))
        import shutil

        shutil.rmtree(src / name)
    with serve(served) as srv:
        helm("repo", "index", str(served), "--url", srv.url)
        assert cli("repo", "add", "hr", srv.url).exit_code == 0
        helm("repo", "add", "hr", srv.url)
        for args in (["webapp"], ["service", "-l"], ["--devel"], [], ["-r", "^cach"]):
            ours = cli("search", "repo", *args, "-o", "json").json
            theirs = json.loads(helm("search", "repo", *args, "-o", "json").stdout)
            assert ours == theirs, args
        ours_table = cli("search", "repo", "webapp").stdout
        assert ours_table == helm("search", "repo", "webapp").stdout
        assert cli("repo", "list").stdout == helm("repo", "list").stdout
        dest = tmp_path / "pulled"
        dest.mkdir()
        assert cli("pull", "hr/webapp", "-d", str(dest), "--untar").exit_code == 0
        assert "version: 1.2.0" in (dest / "webapp" / "Chart.yaml").read_text()
        assert (dest / "webapp" / "templates" / "deployment.yaml").is_file()
