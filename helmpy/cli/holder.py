"""What the release lock records as its holder's command: the command line without the secrets.

The holder's command is written on the Lease (``helmpy.io/lock-command``), shown by ``status`` (LOCKED BY) and in
"another operation is in progress" errors, and it lands in the description of a revision recovered from a dead
holder, so it is read by everyone who can read the namespace. ``--set db.password=...``, ``--kube-token ...`` or
``-f secrets.yaml`` must not end up there. This is an allow-list: the command words, the positional arguments
(release, chart, revision; URLs lose their passwords) and the *names* of the flags given on the command line are
kept, and a flag's value only for the few flags in ``helmpy.redact.SHOWN_FLAG_VALUES``. A flag added later is
shown by name only, so it is safe by default; the lock passes the text through ``scrub_command`` once more.
"""

from __future__ import annotations

import click
from click.core import ParameterSource

from helmpy.redact import SHOWN_FLAG_VALUES, redact_url, scrub_command


def _flag_name(param: click.Parameter) -> str:
    longs = [o for o in param.opts if o.startswith("--")]
    return longs[0] if longs else param.opts[0]


def summarize(ctx: click.Context) -> str:
    """``helmpy upgrade web ./web --set --values --timeout=60s`` for the command ``ctx`` is running."""
    words = [ctx.command_path]
    for param in ctx.command.params:
        name = param.name or ""
        value = ctx.params.get(name)
        if isinstance(param, click.Argument):
            items = value if isinstance(value, (list, tuple)) else ([] if value is None else [value])
            words.extend(redact_url(str(v)) for v in items)
        elif isinstance(param, click.Option) and ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE:
            flag = _flag_name(param)
            if flag in SHOWN_FLAG_VALUES and not param.is_flag and not param.multiple and value is not None:
                words.append(f"{flag}={value}")
            else:
                words.append(flag)
    return scrub_command(" ".join(words))
