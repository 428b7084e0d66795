"""Keep secrets out of what helmpy shows: error messages, debug logs and dry-run output.

Three kinds of secret travel through helmpy: passwords in URLs (``https://user:pass@host/``), credentials in
HTTP headers (``Authorization: Bearer ...``, ``Basic ...``) and the ``data`` of Kubernetes Secrets. Every place that
prints a URL, logs a request or shows a rendered manifest passes it through one of these functions. The
release lock's holder record keeps a command line without flag values (:func:`scrub_command`; the CLI builds it
with ``helmpy/cli/holder.py``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from helmpy.lazyre import LazyPattern

REDACTED = "xxxxx"  # what Go's url.URL.Redacted() puts in place of a password
HIDDEN_SECRET = "# HIDDEN: The Secret output has been suppressed"  # Helm 4's --hide-secret line

# scheme://userinfo@ : userinfo is everything up to the last '@' before the host's '/', '?', '#' or a space
_URL_USERINFO = LazyPattern(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^/?#\s@]*(?:@[^/?#\s@]*)*)@")
# credentials in free text: "Authorization: Basic dXNl...", "Bearer eyJ...", "password=abc", "token: abc"
_AUTH_CRED = LazyPattern(r"(?i)(?P<key>\b(?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?)"
                        r"(?:(?P<scheme>bearer|basic|digest|negotiate|token)\s+)?(?P<cred>[^\s\"',;}]+)")
_BEARER = LazyPattern(r"(?i)\b(?P<scheme>bearer)(?P<sep>\s+)(?P<cred>[A-Za-z0-9\-._~+/]{8,}=*)")
_KEY_CRED = LazyPattern(r"(?i)(?P<key>\b(?:password|passwd|token|bearer[-_]?token|client[-_]key[-_]data|cookie|"
                       r"x-api-key|api[-_]?key)[\"']?\s*[:=]\s*[\"']?)(?P<cred>[^\s\"',;&}]+)")
# the flags whose value a holder record may show (they never hold a secret); every other flag shows its name only
SHOWN_FLAG_VALUES = frozenset({"-n", "--namespace", "--kube-context", "--version", "--timeout", "--wait",
                               "--dry-run", "-o", "--output", "--history-max", "--cascade", "--max", "--rollback"})
MAX_COMMAND_LEN = 200
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
                            "x-auth-token"})


def redact_url(text: str) -> str:
    """Every URL in ``text`` with its userinfo password replaced (``https://bob:xxxxx@host/``).

    A user name alone (``https://TOKEN@github.com/``) is replaced too: tokens are often passed that way. Go
    keeps such a user name; helmpy does not, because it cannot tell a name from a token.
    """
    def hide(m: re.Match[str]) -> str:
        user, sep, _password = m.group("userinfo").partition(":")
        if sep and user:
            return f"{m.group('scheme')}{user}:{REDACTED}@"
        return f"{m.group('scheme')}{REDACTED}@"

    return _URL_USERINFO.sub(hide, text)


def redact_text(text: str) -> str:
    """``text`` with URL passwords, ``Bearer``/``Basic`` credentials and ``password=``/``token:`` values hidden."""
    text = redact_url(text)
    text = _AUTH_CRED.sub(lambda m: f"{m.group('key')}{m.group('scheme') + ' ' if m.group('scheme') else ''}"
                                    f"{REDACTED}", text)
    text = _BEARER.sub(lambda m: f"{m.group('scheme')}{m.group('sep')}{REDACTED}", text)
    return _KEY_CRED.sub(lambda m: f"{m.group('key')}{REDACTED}", text)


def scrub_command(text: str) -> str:
    """A command line fit for the lock's holder record: the words before the first flag (command, release, chart;
    URLs lose their passwords), then flag names only, with a value only for :data:`SHOWN_FLAG_VALUES`.

    ``helmpy upgrade web ./c --set a.password=x --timeout 60s --kube-token=t`` becomes
    ``helmpy upgrade web ./c --set --timeout 60s --kube-token``. A word after the first flag that is not a shown
    flag's value is dropped: without the command's grammar it could be any flag's value.
    """
    out: list[str] = []
    seen_flag = False
    shows_next = False
    for word in text.split():
        if word.startswith("-") and len(word) > 1:
            seen_flag = True
            name, eq, value = word.partition("=")
            shows_next = not eq and name in SHOWN_FLAG_VALUES
            out.append(f"{name}={value}" if eq and name in SHOWN_FLAG_VALUES else name)
        elif not seen_flag:
            out.append(redact_url(word))
        elif shows_next:
            out.append(word)
            shows_next = False
    joined = " ".join(out)
    return joined if len(joined) <= MAX_COMMAND_LEN else joined[:MAX_COMMAND_LEN - 3] + "..."


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of HTTP ``headers`` fit for a log line: credential headers show only their scheme."""
    out = {}
    for key, value in headers.items():
        if key.lower() in SECRET_HEADERS:
            scheme = value.split(" ", 1)[0] if " " in value else ""
            out[key] = f"{scheme} {REDACTED}".strip()
        else:
            out[key] = value
    return out


class RedactingFilter(logging.Filter):
    """A handler filter: every record's final message goes through :func:`redact_text`.

    helmpy's own log calls already redact what they log; this also covers third-party libraries (urllib3,
    requests, the kubernetes client) and any call that forgot, so ``--debug`` output can be pasted into an issue.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken log call must not break the command
            return True
        clean = redact_text(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        return True


def hide_secrets(manifest: str) -> str:
    """Helm 4's ``--hide-secret``: every ``v1`` Secret of a release manifest replaced by one comment line.

    The ``# Source:`` line stays, so the reader still sees which template produced a Secret.
    """
    from helmpy.engine.manifests import manifest_text, parse_manifest_text

    docs = parse_manifest_text(manifest)
    for doc in docs:
        if doc.kind == "Secret" and doc.api_version.startswith("v1"):
            doc.content = HIDDEN_SECRET
    return manifest_text(docs)


def hide_secret_document(doc: str, path: str) -> str:
    """One document (a hook's manifest), or :data:`HIDDEN_SECRET` when it is a ``v1`` Secret."""
    from helmpy.engine.manifests import parse_manifest_text

    parsed = parse_manifest_text(f"---\n# Source: {path}\n{doc}\n")
    if parsed and parsed[0].kind == "Secret" and parsed[0].api_version.startswith("v1"):
        return HIDDEN_SECRET
    return doc
