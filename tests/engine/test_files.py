"""The Files object: Get, GetBytes, Glob (gobwas semantics), Lines, AsConfig, AsSecrets."""

from __future__ import annotations

import pytest

from helmpy.engine.files import Files, glob_regex

FILES = {"config/app.ini": b"[a]\nx=1\n", "config/nested/deep.ini": b"deep", "config/b.txt": b"bee",
         "README.md": b"# readme\n", "bin/blob": b"\x00\xff"}


def test_get_and_getbytes(r):
    out = r("{{ Files.Get('config/b.txt') }}|{{ Files.Get('./config/b.txt') }}|{{ Files.Get('missing') }}|"
            "{{ Files.GetBytes('bin/blob') | length }}", files=FILES)
    assert out == "bee|bee||2"


@pytest.mark.parametrize("pattern, expected", [
    ("config/*", ["config/app.ini", "config/b.txt"]),
    ("config/**", ["config/app.ini", "config/b.txt", "config/nested/deep.ini"]),
    ("**.ini", ["config/app.ini", "config/nested/deep.ini"]),
    ("*.md", ["README.md"]),
    ("config/{app,b}.*", ["config/app.ini", "config/b.txt"]),
    ("config/?.txt", ["config/b.txt"]),
    ("config/[ab]*", ["config/app.ini", "config/b.txt"]),
    ("config/[!a]*", ["config/b.txt"]),
    ("nothing/*", []),
])
def test_glob(pattern, expected):
    assert Files(FILES).Glob(pattern).names() == expected


def test_invalid_glob_matches_everything():
    assert glob_regex("config/[") is None
    assert len(Files(FILES).Glob("config/[")) == len(FILES)


def test_glob_as_config_and_secrets(r):
    out = r("{{ Files.Glob('config/*').AsConfig() }}\n---\n{{ Files.Glob('config/b.txt').AsSecrets() }}", files=FILES)
    assert out == "app.ini: |\n  [a]\n  x=1\nb.txt: bee\n---\nb.txt: YmVl"
    assert r("{{ Files.Glob('none/*').AsConfig() }}", files=FILES) == "{}"


def test_glob_iteration(r):
    out = r("{% for path in Files.Glob('config/*') %}{{ path }};{% endfor %}"
            "{% for path, text in Files.Glob('config/b*').items() %}{{ path }}={{ text }}{% endfor %}", files=FILES)
    assert out == "config/app.ini;config/b.txt;config/b.txt=bee"


def test_lines(r):
    assert r("{{ Files.Lines('config/app.ini') | toJson }} {{ Files.Lines('nope') | toJson }}", files=FILES) == \
        '["[a]","x=1"] []'
