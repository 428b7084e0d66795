"""ValueOptions: -f sources (path, stdin, URL) and the fixed --set* order; the click decorator."""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from helmpy.cli.options import values_options
from helmpy.errors import StrvalsError, ValuesError
from helmpy.values.options import ValueOptions


def test_empty() -> None:
    assert ValueOptions().is_empty()
    assert ValueOptions().merge() == {}
    assert not ValueOptions(set_literal=["a=1"]).is_empty()


def test_fixed_order_whatever_the_flags(tmp_path: Path) -> None:
    f = tmp_path / "v.yaml"
    f.write_text("a: 0\n")
    opts = ValueOptions(values_files=[str(f)], set_values=["a=1"], set_string=["a=2"], set_json=["a=3"],
                        set_literal=["a=4"])
    assert opts.merge() == {"a": "4"}
    assert ValueOptions(set_values=["a=1"], set_json=["a=3"]).merge() == {"a": 1}
    assert ValueOptions(set_values=["a=1"], set_string=["a=2"]).merge() == {"a": "2"}


def test_files_merge_in_order_and_multi_documents(tmp_path: Path) -> None:
    one = tmp_path / "one.yaml"
    one.write_text("m:\n  a: 1\n  b: 1\nl: [1, 2, 3]\n---\nsecond: doc\n")
    two = tmp_path / "two.yaml"
    two.write_text("m:\n  b: 2\nnothing: null\n")
    opts = ValueOptions(values_files=[str(one), str(two)], set_values=["l[1]=X"])
    assert opts.merge() == {"m": {"a": 1, "b": 2}, "l": [1, "X", 3], "second": "doc", "nothing": None}


def test_stdin_source() -> None:
    opts = ValueOptions(values_files=["-"])
    assert opts.merge(stdin=io.StringIO("a: 1\n")) == {"a": 1}
    assert ValueOptions(values_files=[" - "]).merge(stdin=io.BytesIO(b"b: 2\n")) == {"b": 2}


def test_set_file_reads_verbatim(tmp_path: Path) -> None:
    f = tmp_path / "cert.pem"
    f.write_text("line1\nline2\n")
    assert ValueOptions(set_file=[f"tls.cert={f}"]).merge() == {"tls": {"cert": "line1\nline2\n"}}
    assert ValueOptions(set_file=["x=-"]).merge(stdin=io.StringIO("from stdin")) == {"x": "from stdin"}


def test_missing_file_errors(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ValuesError) as err:
        ValueOptions(values_files=[str(missing)]).merge()
    assert str(err.value) == f"open {missing}: no such file or directory"
    with pytest.raises(StrvalsError) as err2:
        ValueOptions(set_file=[f"a={missing}"]).merge()
    assert str(err2.value) == f"failed parsing --set-file data: open {missing}: no such file or directory"
    with pytest.raises(ValuesError, match="is a directory"):
        ValueOptions(values_files=[str(tmp_path)]).merge()


def test_bad_yaml_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("ok: 1\na: [\n")
    with pytest.raises(ValuesError) as err:
        ValueOptions(values_files=[str(bad)]).merge()
    assert str(err.value).startswith(f"failed to parse {bad}: line ")
    notmap = tmp_path / "list.yaml"
    notmap.write_text("- a\n")
    with pytest.raises(ValuesError, match=r"failed to parse .*list\.yaml"):
        ValueOptions(values_files=[str(notmap)]).merge()


def test_set_errors_propagate() -> None:
    with pytest.raises(StrvalsError, match=r'^failed parsing --set data: key "a" has no value$'):
        ValueOptions(set_values=["a"]).merge()


@pytest.fixture
def values_server() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            if self.path == "/values.yaml":
                body = b"remote: true\nlist: [a]\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_url_source(values_server: str) -> None:
    opts = ValueOptions(values_files=[f"{values_server}/values.yaml"], set_values=["list[1]=b"])
    assert opts.merge() == {"remote": True, "list": ["a", "b"]}
    with pytest.raises(ValuesError, match=r"failed to fetch .*/missing.yaml : 404"):
        ValueOptions(values_files=[f"{values_server}/missing.yaml"]).merge()


def test_url_connection_refused() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ValuesError, match=rf"failed to fetch http://127.0.0.1:{port}/v.yaml"):
        ValueOptions(values_files=[f"http://127.0.0.1:{port}/v.yaml"]).merge()


def test_click_decorator_passes_one_value_options() -> None:
    seen: list[ValueOptions] = []

    @click.command()
    @values_options
    @click.argument("name")
    def cmd(name: str, value_options: ValueOptions) -> None:
        seen.append(value_options)

    result = CliRunner().invoke(cmd, ["x", "-f", "a.yaml", "--set", "a=1", "--values", "b.yaml", "--set", "b=2",
                                      "--set-string", "s=1", "--set-json", "j=1", "--set-file", "f=p",
                                      "--set-literal", "l=1"])
    assert result.exit_code == 0, result.output
    assert seen == [ValueOptions(values_files=["a.yaml", "b.yaml"], set_json=["j=1"], set_values=["a=1", "b=2"],
                                 set_string=["s=1"], set_file=["f=p"], set_literal=["l=1"])]
    help_text = CliRunner().invoke(cmd, ["--help"]).output
    for flag in ("-f, --values", "--set ", "--set-string", "--set-json", "--set-file", "--set-literal"):
        assert flag in help_text
