"""Acting as another user: kubeconfig's ``as``/``as-uid``/``as-groups``/``as-user-extra`` and Helm's
``--kube-as-user``/``--kube-as-group`` (``HELM_KUBEASUSER``/``HELM_KUBEASGROUPS``), sent as client-go sends them.

The API server authenticates the request with the user's own credentials and then, if RBAC lets that user
``impersonate``, authorizes it as the named user: ``Impersonate-User``, ``Impersonate-Uid``, one
``Impersonate-Group`` line per group and one ``Impersonate-Extra-KEY`` line per value (the key percent-encoded
as client-go encodes it). As in client-go, the flags replace the kubeconfig's user and groups (the extras stay),
and groups, a uid or extras without a user are an error.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from helmpy.errors import KubeConfigError

logger = logging.getLogger(__name__)

#: RFC 7230 ``tchar``s other than letters and digits: what a header name may hold unescaped.
_TCHARS = frozenset("!#$&'*+-.^_`|~")


@dataclass(frozen=True)
class Impersonation:
    """Who requests are made as; empty fields send no header."""

    user: str = ""
    uid: str = ""
    groups: tuple[str, ...] = ()
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.user or self.uid or self.groups or self.extra)

    @classmethod
    def from_user(cls, user: Mapping[str, Any], where: str) -> Impersonation:
        """The ``as*`` keys of a kubeconfig ``user:`` map (each checked for its type)."""
        groups = user.get("as-groups") or []
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise KubeConfigError(f"{where}: as-groups must be a list of strings")
        extra = user.get("as-user-extra") or {}
        if not isinstance(extra, dict):
            raise KubeConfigError(f"{where}: as-user-extra must be a map of lists of strings")
        pairs: list[tuple[str, tuple[str, ...]]] = []
        for key, values in extra.items():
            if isinstance(values, str):
                values = [values]
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise KubeConfigError(f"{where}: as-user-extra.{key} must be a list of strings")
            pairs.append((str(key), tuple(values)))
        for key in ("as", "as-uid"):
            if user.get(key) is not None and not isinstance(user[key], str):
                raise KubeConfigError(f"{where}: {key} must be a string")
        return cls(str(user.get("as") or ""), str(user.get("as-uid") or ""), tuple(groups), tuple(pairs))

    def overridden(self, user: str | None, groups: tuple[str, ...] | None) -> Impersonation:
        """The flags' user and groups in place of the kubeconfig's (client-go's override merge)."""
        out = self
        if user:
            out = replace(out, user=user)
        if groups:
            out = replace(out, groups=tuple(groups))
        return out

    def check(self, where: str) -> Impersonation:
        """client-go's rule: a uid, groups or extras need a user to impersonate; values fit in a header line."""
        if not self.user and (self.uid or self.groups or self.extra):
            raise KubeConfigError(f"{where}: requesting uid, groups or user-extra without impersonating a user",
                                  hint="set as: in the kubeconfig's user or pass --kube-as-user")
        for name, value in self.headers():
            if any(c in value for c in "\r\n\0"):
                raise KubeConfigError(f"{where}: the {name} value holds a line break")
        return self

    def headers(self) -> list[tuple[str, str]]:
        """The request header lines, a name repeated once per value."""
        out: list[tuple[str, str]] = []
        if self.user:
            out.append(("Impersonate-User", self.user))
        if self.uid:
            out.append(("Impersonate-Uid", self.uid))
        out.extend(("Impersonate-Group", group) for group in self.groups)
        for key, values in self.extra:
            out.extend((f"Impersonate-Extra-{escape_key(key)}", value) for value in values)
        return out

    def describe(self) -> str:
        """For debug logs: the user and how many groups and extras (names are not secrets)."""
        return f"user={self.user} groups={len(self.groups)} extra={len(self.extra)}"


def escape_key(key: str) -> str:
    """An extra's key as a header-name suffix: bytes that are not ``tchar``s, and ``%``, as ``%XX``
    (client-go's ``headerKeyEscape``; the API server unescapes it)."""
    out: list[str] = []
    for byte in key.encode("utf-8"):
        char = chr(byte)
        if byte < 128 and (char.isalnum() or char in _TCHARS):
            out.append(char)
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def groups_setting(text: str | None) -> tuple[str, ...]:
    """``HELM_KUBEASGROUPS``: comma-separated, outer commas and spaces trimmed (Helm's ``envCSV``)."""
    trimmed = (text or "").strip(", ")
    return tuple(trimmed.split(",")) if trimmed else ()
