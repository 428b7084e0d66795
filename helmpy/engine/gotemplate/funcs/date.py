"""Sprig's date functions: Go layouts (``date "2006-01-02" now``), zones, ``toDate``, durations.

Sprig's type switches are kept: ``date`` formats a time, an int (Unix seconds) or else *now*
(a float64 from a values file is "else"); ``duration``/``durationRound`` read a string or an int64
(:class:`Int64`, what ``--set`` gives) and treat a plain int literal as 0, as Helm does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo

from helmpy.engine.gotemplate.funcs._goval import Duration, Int64
from helmpy.engine.gotemplate.funcs._sig import ANY, STR, TIME, go
from helmpy.engine.gotemplate.funcs.errors import FuncError
from helmpy.engine.gotemplate.funcs.seams import Seams
from helmpy.engine.gotime import ParseError, format_time, parse_time

ZERO_TIME = datetime(1, 1, 1, tzinfo=UTC)
_UNITS = {"ns": 1, "us": 1000, "µs": 1000, "μs": 1000, "ms": 1_000_000, "s": 10**9, "m": 60 * 10**9,
          "h": 3600 * 10**9}


class DurationError(ValueError):
    """``time.ParseDuration``'s error text."""


def parse_duration(s: str) -> int:
    """``time.ParseDuration``: nanoseconds; raises :class:`DurationError`."""
    from helmpy.engine.gotemplate.strconv import quote

    orig = s
    neg = False
    if s[:1] in ("-", "+"):
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if s == "":
        raise DurationError(f"time: invalid duration {quote(orig)}")
    total = 0
    while s:
        i = 0
        while i < len(s) and s[i].isdigit() and s[i].isascii():
            i += 1
        whole = s[:i]
        s = s[i:]
        frac = ""
        if s.startswith("."):
            j = 1
            while j < len(s) and s[j].isdigit() and s[j].isascii():
                j += 1
            frac = s[1:j]
            s = s[j:]
        if not whole and not frac:
            raise DurationError(f"time: invalid duration {quote(orig)}")
        j = 0
        while j < len(s) and not (s[j] == "." or (s[j].isdigit() and s[j].isascii())):
            j += 1
        unit = s[:j]
        s = s[j:]
        if not unit:
            raise DurationError(f"time: missing unit in duration {quote(orig)}")
        if unit not in _UNITS:
            raise DurationError(f"time: unknown unit {quote(unit)} in duration {quote(orig)}")
        scale = _UNITS[unit]
        v = int(whole or 0) * scale
        if frac:
            v += int(frac) * scale // 10 ** len(frac)
        total += v
        if total > (1 << 63) - (0 if neg else 1):
            raise DurationError(f"time: invalid duration {quote(orig)}")
    return -total if neg else total


def _load_zone(name: str, local: tzinfo) -> tzinfo:
    """``time.LoadLocation`` with Sprig's fallback to UTC."""
    if name == "Local":
        return local
    if name in ("", "UTC"):
        return UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _as_time(v: object, seams: Seams) -> datetime:
    if isinstance(v, datetime):
        return v
    if isinstance(v, int) and not isinstance(v, (bool, Duration)):
        return datetime.fromtimestamp(int(v), UTC)
    return seams.now()


def _round_seconds(ns: int) -> int:
    """``Duration.Round(time.Second)`` (halves away from zero)."""
    q, r = divmod(abs(ns), 10**9)
    if r * 2 >= 10**9:
        q += 1
    return (q if ns >= 0 else -q) * 10**9


def _since(t: datetime, seams: Seams) -> int:
    delta = seams.now() - t
    return (delta.days * 86400 + delta.seconds) * 10**9 + delta.microseconds * 1000


def make_date_funcs(seams: Seams) -> dict[str, Callable[..., object]]:
    """The date functions bound to ``seams`` (clock and ``Local`` zone)."""

    @go(STR, ANY, STR)
    def date_in_zone(layout: str, when: object, zone: str) -> str:
        return format_time(_as_time(when, seams).astimezone(_load_zone(zone, seams.local)), layout)

    @go(STR, ANY)
    def date(layout: str, when: object) -> str:
        return date_in_zone(layout, when, "Local")

    @go(ANY)
    def html_date(when: object) -> str:
        return date_in_zone("2006-01-02", when, "Local")

    @go(ANY, STR)
    def html_date_in_zone(when: object, zone: str) -> str:
        return date_in_zone("2006-01-02", when, zone)

    @go()
    def now() -> datetime:
        return seams.now().astimezone(seams.local)

    @go(ANY)
    def ago(when: object) -> str:
        t = when if isinstance(when, datetime) else (
            datetime.fromtimestamp(int(when), UTC)
            if isinstance(when, int) and not isinstance(when, bool) else seams.now())
        return Duration(_round_seconds(_since(t, seams))).go_string()

    @go(ANY)
    def duration_round(d: object) -> str:
        if isinstance(d, str):
            try:
                ns = parse_duration(d)
            except DurationError:
                ns = 0
        elif isinstance(d, Int64):
            ns = int(d)
        elif isinstance(d, datetime):
            ns = _since(d, seams)
        else:
            ns = 0
        return _duration_round(ns)

    @go(STR, STR)
    def to_date(layout: str, value: str) -> datetime:
        try:
            return parse_time(layout, value, seams.local)
        except ParseError:
            return ZERO_TIME

    @go(STR, STR)
    def must_to_date(layout: str, value: str) -> datetime:
        try:
            return parse_time(layout, value, seams.local)
        except ParseError as err:
            raise FuncError(str(err)) from err

    return {"date": date, "dateInZone": date_in_zone, "date_in_zone": date_in_zone, "htmlDate": html_date,
            "htmlDateInZone": html_date_in_zone, "now": now, "ago": ago, "durationRound": duration_round,
            "toDate": to_date, "mustToDate": must_to_date}


def _duration_round(ns: int) -> str:
    u = abs(ns)
    for unit, size in (("y", 365 * 86400), ("mo", 30 * 86400), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if u > size * 10**9:
            return f"{u // (size * 10**9)}{unit}"
    return "0s"


@go(STR, TIME)
def date_modify(spec: str, when: datetime) -> datetime:
    """``dateModify "-1.5h" T``: T moved by a Go duration (T unchanged when it does not parse)."""
    try:
        return when + timedelta(microseconds=parse_duration(spec) // 1000)
    except DurationError:
        return when


@go(STR, TIME)
def must_date_modify(spec: str, when: datetime) -> datetime:
    try:
        return when + timedelta(microseconds=parse_duration(spec) // 1000)
    except DurationError as err:
        raise FuncError(str(err)) from err


@go(ANY)
def duration(sec: object) -> str:
    """``duration 95`` is ``1m35s`` for a string or int64 of seconds (0s for anything else)."""
    n = 0
    if isinstance(sec, str):
        body = sec[1:] if sec[:1] in "+-" else sec
        if body.isascii() and body.isdigit() and -(1 << 63) <= int(sec) < 1 << 63:
            n = int(sec)
    elif isinstance(sec, Int64):
        n = int(sec)
    ns = (n * 10**9 + (1 << 63)) % (1 << 64) - (1 << 63)
    return Duration(ns).go_string()


@go(TIME)
def unix_epoch(when: datetime) -> str:
    return str(int(when.timestamp()) if when.tzinfo else int(when.replace(tzinfo=UTC).timestamp()))


