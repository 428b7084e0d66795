"""helmpy.redact: URL passwords, credentials in log text, and the lock holder's command line."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helmpy.redact import SHOWN_FLAG_VALUES, RedactingFilter, redact_headers, redact_text, redact_url, scrub_command


@pytest.mark.parametrize(("text", "want"), [
    ("GET https://bob:hunter2@charts.example.com/index.yaml", "GET https://bob:xxxxx@charts.example.com/index.yaml"),
    ("oci://u:p@registry/app", "oci://u:xxxxx@registry/app"),
    ("https://ghp_TOKEN@github.com/x", "https://xxxxx@github.com/x"),  # a user name alone is often a token
    ("https://a:b@c:d@host/p", "https://a:xxxxx@host/p"),  # the password runs to the last '@'
    ("oci://registry/app@sha256:abc", "oci://registry/app@sha256:abc"),  # '@' after the host is no userinfo
    ("http://host/x and http://u:p@h/", "http://host/x and http://u:xxxxx@h/"),
    ("no url here: a@b", "no url here: a@b"),
])
def test_redact_url(text: str, want: str) -> None:
    assert redact_url(text) == want


@pytest.mark.parametrize(("text", "want"), [
    ("Authorization: Basic dXNlcjpwdw==", "Authorization: Basic xxxxx"),
    ('{"Authorization": "Bearer eyJhbGciOi.x.y"}', '{"Authorization": "Bearer xxxxx"}'),
    ("sent bearer abcdefghijklmnop", "sent bearer xxxxx"),
    ("password=hunter2&user=bob", "password=xxxxx&user=bob"),
    ("token: abc", "token: xxxxx"),
    ("the token expired; basic auth is used", "the token expired; basic auth is used"),
])
def test_redact_text(text: str, want: str) -> None:
    assert redact_text(text) == want


def test_redact_headers() -> None:
    assert redact_headers({"Authorization": "Bearer abc", "Cookie": "s=1", "Accept": "*/*"}) == {
        "Authorization": "Bearer xxxxx", "Cookie": "xxxxx", "Accept": "*/*"}


def test_filter_redacts_third_party_records() -> None:
    record = logging.LogRecord("urllib3", logging.DEBUG, __file__, 1, "%s %s", ("GET", "https://u:pw@h/"), None)
    assert RedactingFilter().filter(record) and record.getMessage() == "GET https://u:xxxxx@h/"


@pytest.mark.parametrize(("text", "want"), [
    ("helmpy upgrade web ./c --set a.password=x --timeout 60s --kube-token=t",
     "helmpy upgrade web ./c --set --timeout 60s --kube-token"),
    ("helmpy --kube-token T upgrade web", "helmpy --kube-token"),
    ("helmpy install web https://u:p@h/c.tgz -n prod -f s.yaml --password=pw", "helmpy install web "
     "https://u:xxxxx@h/c.tgz -n prod -f --password"),
    ("helmpy upgrade web ./c --timeout=60s -o json", "helmpy upgrade web ./c --timeout=60s -o json"),
])
def test_scrub_command(text: str, want: str) -> None:
    assert scrub_command(text) == want


FLAGS = st.sampled_from(sorted(SHOWN_FLAG_VALUES | {"--set", "--set-string", "--set-json", "--set-file", "-f",
                                                     "--values", "--password", "--token", "--kube-token",
                                                     "--username", "--some-future-flag", "-x"}))
WORD = st.text(st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="-"), min_size=1,
               max_size=8).filter(lambda w: "S3CRET" not in w)


@given(st.lists(WORD, max_size=3), st.lists(st.tuples(FLAGS, st.booleans()), max_size=8))
def test_scrub_command_never_shows_a_value_of_a_flag_it_does_not_know(words: list[str],
                                                                       flags: list[tuple[str, bool]]) -> None:
    secret = "S3CRET"
    argv = ["helmpy", *words]
    for flag, joined in flags:
        value = "v" if flag in SHOWN_FLAG_VALUES else secret
        argv.extend([f"{flag}={value}"] if joined else [flag, value])
    out = scrub_command(" ".join(argv))
    assert secret not in out
    if not out.endswith("..."):  # not cut at MAX_COMMAND_LEN
        assert scrub_command(out) == out  # what the lock stores reads back unchanged
        assert all(flag in out.split() or f"{flag}=v" in out.split() for flag, _ in flags)
