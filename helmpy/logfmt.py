"""Log lines in Go's ``log/slog`` text format, as Helm 4 writes its warnings: ``level=WARN msg="..."``.

Scripts that read Helm's stderr (or compare it) see the same shape from helmpy: Go's level names (``WARN``, not
``WARNING``) and the message quoted the way slog quotes a value (when it is empty or holds a space, ``=``, ``"``
or a character that is not printable), escaped as Go's ``strconv.Quote`` does.
"""

from __future__ import annotations

import logging

_LEVELS = {"WARNING": "WARN", "CRITICAL": "ERROR"}
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
            "\v": "\\v"}


def slog_value(text: str) -> str:
    """``text`` as slog's text handler writes a string value: bare, or quoted like Go's ``strconv.Quote``."""
    if text and not any(c in '="' or c.isspace() or not c.isprintable() for c in text):
        return text
    out = []
    for c in text:
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif not c.isprintable():
            code = ord(c)
            out.append(f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


class SlogFormatter(logging.Formatter):
    """``level=<LEVEL> msg=<message>`` (exceptions, when logged, follow on their own lines)."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"level={_LEVELS.get(record.levelname, record.levelname)} msg={slog_value(record.getMessage())}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line
