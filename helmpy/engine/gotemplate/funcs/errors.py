"""The one exception template functions raise: Go's error value, with Go's text as the message."""

from __future__ import annotations

from helmpy.errors import TemplateFuncError


class FuncError(TemplateFuncError):
    """A function returned a non-nil ``error`` (``mustX``, ``fail``, ``semverCompare`` ...) or panicked.

    The executor reports it as ``error calling NAME: MESSAGE`` (Go wraps returned errors and
    recovered panics of functions the same way). ``panic`` is True when Go panics rather than
    returning an error; the text Helm prints is the same in both cases (text/template's ``safeCall``
    recovers a panic whose value is an ``error`` as that error, and ``evalCall`` wraps both alike).
    """

    def __init__(self, message: str, *, panic: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.panic = panic
