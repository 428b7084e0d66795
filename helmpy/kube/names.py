"""Kubernetes' object name rules per kind, in the API server's wording (apimachinery ``validation``).

Most kinds take a DNS-1123 subdomain; Services a DNS-1035 label and Namespaces a DNS-1123 label; RBAC kinds
(and CertificateSigningRequests) only a path segment, so names such as cert-manager's
``cm-cert-manager-webhook:subjectaccessreviews`` are valid. One implementation for ``lint`` (Helm's name
check) and the embedded cluster's validation.
"""

from __future__ import annotations

import re

DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                 "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                 "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
             "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
             "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
DNS1035_MSG = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
               "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
               "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
PATH_SEGMENT_KINDS = frozenset({"role", "clusterrole", "rolebinding", "clusterrolebinding",
                                "certificatesigningrequest"})


def name_problems(kind: str, name: str) -> list[str]:
    """What is wrong with ``name`` for an object of ``kind`` (empty: valid)."""
    k = kind.lower()
    if k in PATH_SEGMENT_KINDS:
        if name in (".", ".."):
            return [f"may not be '{name}'"]
        return [f"may not contain '{c}'" for c in ("/", "%") if c in name]
    if k == "service":
        limit, regex, msg = 63, DNS1035_LABEL, DNS1035_MSG
    elif k == "namespace":
        limit, regex, msg = 63, DNS1123_LABEL, LABEL_MSG
    else:
        limit, regex, msg = 253, DNS1123_SUBDOMAIN, SUBDOMAIN_MSG
    out = []
    if len(name) > limit:
        out.append(f"must be no more than {limit} characters")
    if not regex.match(name):
        out.append(msg)
    return out
