"""The shared -o table|json|yaml writer."""

from __future__ import annotations

import click
from click.testing import CliRunner

from helmpy.cli.output import format_table, output_option, render, write


def test_table_pads_like_uitable():
    text = format_table(["NAME", "URL"], [["stable", "https://x"], ["a", None]])
    assert text == "NAME  \tURL      \nstable\thttps://x\na     \t         \n"


def test_table_truncates_long_cells():
    text = format_table(["A"], [["x" * 70]], max_col_width=10)
    assert text.splitlines()[1] == "xxxxxxx..."


def test_json_is_gos_encoder_in_the_given_order():
    """One encoder for every -o json: the caller's (Go struct) order, compact, HTML-escaped as Go escapes."""
    assert render({"b": 1, "a": "<&>\u2028\u2029"}, "json") == '{"b":1,"a":"\\u003c\\u0026\\u003e\\u2028\\u2029"}\n'


def test_yaml_uses_helm_key_order():
    assert render({"b": 1, "a10": 2, "a2": 3}, "yaml") == "a2: 3\na10: 2\nb: 1\n"


def test_output_option_and_write():
    @click.command()
    @output_option
    def cmd(output: str) -> None:
        write([{"name": "x"}], output, lambda rows: (["NAME"], [[r["name"]] for r in rows]))

    runner = CliRunner()
    assert runner.invoke(cmd, []).output == "NAME\nx   \n"
    assert runner.invoke(cmd, ["-o", "json"]).output == '[{"name":"x"}]\n'
    assert runner.invoke(cmd, ["--output", "yaml"]).output == "- name: x\n"
    assert runner.invoke(cmd, ["-o", "xml"]).exit_code == 2
