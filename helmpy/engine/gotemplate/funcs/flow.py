"""``fail`` (Sprig's, which Helm keeps) and the disabled ``getHostByName``."""

from __future__ import annotations

from helmpy.engine.gotemplate.funcs._sig import STR, go
from helmpy.engine.gotemplate.funcs.errors import FuncError


@go(STR)
def fail(message: str) -> str:
    """``fail MSG``: stop rendering; Helm prints ``error calling fail: MSG``."""
    raise FuncError(message)


@go(STR)
def get_host_by_name(_name: str) -> str:
    """``getHostByName``: Helm replaces Sprig's DNS lookup with ``""`` unless ``--enable-dns`` is given."""
    return ""


@go()
def hello() -> str:
    """Sprig's ``hello``."""
    return "Hello!"
