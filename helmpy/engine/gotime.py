"""Go's reference-time layouts (``2006-01-02T15:04:05Z07:00``): formatting and parsing, as ``time`` does.

The layout is cut into the same chunks Go's ``nextStdChunk`` finds (``Jan``/``January``, ``01``/``1``,
``_2``, ``002``, ``15``/``3``/``03``, ``PM``, ``MST``, ``Z07:00`` and friends, ``.000``/``.999`` and
``,000`` fractions); everything else is copied literally. Python datetimes carry microseconds, so
fractions beyond six digits print as zeros.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Zone chunks, longest first (Go's order of checks).
_ZONES = ("Z07:00:00", "Z070000", "Z07:00", "Z0700", "Z07", "-07:00:00", "-070000", "-07:00", "-0700", "-07")
_FIXED = (("January", "January"), ("Jan", "Jan"), ("Monday", "Monday"), ("Mon", "Mon"), ("MST", "MST"),
          ("2006", "2006"), ("002", "002"), ("__2", "__2"), ("_2006", None), ("_2", "_2"), ("01", "01"),
          ("02", "02"), ("03", "03"), ("04", "04"), ("05", "05"), ("06", "06"), ("15", "15"), ("PM", "PM"),
          ("pm", "pm"), ("1", "1"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5"))


def chunks(layout: str) -> list[tuple[str, str]]:
    """Split a layout into ``(kind, text)``: kind is ``lit`` or the std chunk (``frac0:N``/``frac9:N`` for
    fractions)."""
    out: list[tuple[str, str]] = []
    i = 0
    lit_start = 0
    n = len(layout)
    while i < n:
        c = layout[i]
        std: str | None = None
        length = 0
        if c in ".," and i + 1 < n and layout[i + 1] in "09":
            j = i + 1
            while j < n and layout[j] == layout[i + 1]:
                j += 1
            if not (j < n and layout[j].isdigit()):
                std = f"frac{layout[i + 1]}:{j - i - 1}"
                length = j - i
        elif c in "Z-":
            for z in _ZONES:
                if layout.startswith(z, i) and z[0] == c:
                    std, length = z, len(z)
                    break
        else:
            for text, kind in _FIXED:
                if layout.startswith(text, i):
                    if text == "_2006":  # "_" then a long year
                        out.append(("lit", layout[lit_start:i + 1]))
                        i += 1
                        lit_start = i
                        std, length = "2006", 4
                    elif text in ("Jan", "Mon") and layout.startswith(text + ("uary" if text == "Jan" else "day"), i):
                        continue
                    else:
                        std, length = kind, len(text)
                    break
        if std is None:
            i += 1
            continue
        if lit_start < i:
            out.append(("lit", layout[lit_start:i]))
        out.append((std, layout[i:i + length]))
        i += length
        lit_start = i
    if lit_start < n:
        out.append(("lit", layout[lit_start:]))
    return out


def _zone_text(t: datetime, std: str) -> str:
    off = t.utcoffset()
    secs = int(off.total_seconds()) if off is not None else 0
    if std.startswith("Z") and secs == 0:
        return "Z"
    sign = "-" if secs < 0 else "+"
    secs = abs(secs)
    hh, mm, ss = secs // 3600, secs % 3600 // 60, secs % 60
    body = std[1:]
    if body == "07":
        return f"{sign}{hh:02d}"
    if body == "0700":
        return f"{sign}{hh:02d}{mm:02d}"
    if body == "07:00":
        return f"{sign}{hh:02d}:{mm:02d}"
    if body == "070000":
        return f"{sign}{hh:02d}{mm:02d}{ss:02d}"
    return f"{sign}{hh:02d}:{mm:02d}:{ss:02d}"


def zone_name(t: datetime) -> str:
    """The zone abbreviation Go prints for ``MST`` (Go's ``-0700`` form when the zone has no name)."""
    name = t.tzname() or ""
    if (name.startswith("UTC") and len(name) > 3) or not name:
        off = t.utcoffset()
        minutes = int(off.total_seconds()) // 60 if off is not None else 0
        sign = "-" if minutes < 0 else "+"
        minutes = abs(minutes)
        return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"
    return name


def format_time(t: datetime, layout: str) -> str:
    """``t.Format(layout)``."""
    out: list[str] = []
    h12 = t.hour % 12 or 12
    for std, text in chunks(layout):
        if std == "lit":
            out.append(text)
        elif std.startswith("frac"):
            digits = int(std[6:])
            frac = f"{t.microsecond:06d}000"[:digits].ljust(digits, "0")
            if std[4] == "9":
                frac = frac.rstrip("0")
                out.append(text[0] + frac if frac else "")
            else:
                out.append(text[0] + frac)
        elif std in _ZONES:
            out.append(_zone_text(t, std))
        else:
            pieces: dict[str, Callable[[], str]] = {
                "January": lambda: _MONTHS[t.month - 1], "Jan": lambda: _MONTHS[t.month - 1][:3],
                "Monday": lambda: _DAYS[t.weekday()], "Mon": lambda: _DAYS[t.weekday()][:3],
                "MST": lambda: zone_name(t), "2006": lambda: f"{t.year:04d}", "06": lambda: f"{t.year % 100:02d}",
                "002": lambda: f"{t.timetuple().tm_yday:03d}", "__2": lambda: f"{t.timetuple().tm_yday:3d}",
                "01": lambda: f"{t.month:02d}", "1": lambda: str(t.month), "02": lambda: f"{t.day:02d}",
                "_2": lambda: f"{t.day:2d}", "2": lambda: str(t.day), "15": lambda: f"{t.hour:02d}",
                "03": lambda: f"{h12:02d}", "3": lambda: str(h12), "04": lambda: f"{t.minute:02d}",
                "4": lambda: str(t.minute), "05": lambda: f"{t.second:02d}", "5": lambda: str(t.second),
                "PM": lambda: "PM" if t.hour >= 12 else "AM", "pm": lambda: "pm" if t.hour >= 12 else "am",
            }
            out.append(pieces[std]())
    return "".join(out)


class ParseError(ValueError):
    """Go's ``*time.ParseError`` text."""


def _quote(s: str) -> str:
    from helmpy.engine.gotemplate.strconv import quote

    return quote(s)


def parse_time(layout: str, value: str, local: tzinfo) -> datetime:
    """``time.ParseInLocation(layout, value, local)``; raises :class:`ParseError` with Go's message."""
    orig = value
    year, month, day, hour, minute, second, micro = 1, 1, 1, 0, 0, 0, 0
    pm: bool | None = None
    zone: tzinfo | None = None
    yday = -1

    def fail(elem: str, val: str, msg: str = "") -> ParseError:
        if msg:
            return ParseError(f"parsing time {_quote(orig)}{msg}")
        return ParseError(f"parsing time {_quote(orig)} as {_quote(layout)}: "
                          f"cannot parse {_quote(val)} as {_quote(elem)}")

    def num(v: str, lo: int, hi: int, fixed: bool) -> tuple[int, str]:
        j = 0
        while j < len(v) and j < hi and v[j].isdigit():
            j += 1
        if j < lo or (fixed and j != hi):
            raise ValueError
        return int(v[:j]), v[j:]

    parts = chunks(layout)
    for pos, (std, text) in enumerate(parts):
        if std == "lit":
            if not value.startswith(text):
                raise fail(text, value)
            value = value[len(text):]
            continue
        rest = value
        try:
            if std == "2006":
                year, value = num(value, 4, 4, True)
            elif std == "06":
                y, value = num(value, 2, 2, True)
                year = y + (1900 if y >= 69 else 2000)
            elif std in ("01", "1"):
                month, value = num(value, 1 if std == "1" else 2, 2, std == "01")
                if not 1 <= month <= 12:
                    raise fail(text, rest, ": month out of range")
            elif std in ("Jan", "January"):
                names = [m[:3] if std == "Jan" else m for m in _MONTHS]
                month = next(i + 1 for i, m in enumerate(names) if value[:len(m)].lower() == m.lower())
                value = value[len(names[month - 1]):]
            elif std in ("Mon", "Monday"):
                names = [d[:3] if std == "Mon" else d for d in _DAYS]
                d = next(d for d in names if value[:len(d)].lower() == d.lower())
                value = value[len(d):]
            elif std in ("02", "2", "_2"):
                if std == "_2" and value.startswith(" "):
                    value = value[1:]
                day, value = num(value, 1 if std != "02" else 2, 2, std == "02")
            elif std in ("002", "__2"):
                if std == "__2":
                    value = value.lstrip(" ")
                yday, value = num(value, 3 if std == "002" else 1, 3, std == "002")
            elif std in ("15",):
                hour, value = num(value, 2, 2, False)
            elif std in ("03", "3"):
                hour, value = num(value, 1 if std == "3" else 2, 2, std == "03")
            elif std in ("04", "4"):
                minute, value = num(value, 1 if std == "4" else 2, 2, std == "04")
            elif std in ("05", "5"):
                second, value = num(value, 1 if std == "5" else 2, 2, std == "05")
                frac_next = parts[pos + 1][0].startswith("frac") if pos + 1 < len(parts) else False
                if len(value) > 1 and value[0] in ".," and value[1].isdigit() and not frac_next:
                    j = 1
                    while j < len(value) and value[j].isdigit():
                        j += 1
                    micro = int((value[1:j] + "000000")[:6])
                    value = value[j:]
            elif std in ("PM", "pm"):
                p = value[:2]
                if p.upper() not in ("AM", "PM"):
                    raise ValueError
                pm = p.upper() == "PM"
                value = value[2:]
            elif std.startswith("frac"):
                digits = int(std[6:])
                if value[:1] != text[0]:
                    if std[4] == "9":
                        continue
                    raise ValueError
                j = 1
                while j < len(value) and value[j].isdigit():
                    j += 1
                if std[4] == "0" and j - 1 != digits:
                    raise ValueError
                micro = int((value[1:j] + "000000")[:6])
                value = value[j:]
            elif std in _ZONES:
                if std.startswith("Z") and value.startswith("Z"):
                    zone = UTC
                    value = value[1:]
                    continue
                body = std[1:]
                want = {"07": 3, "0700": 5, "07:00": 6, "070000": 7, "07:00:00": 9}[body]
                z = value[:want]
                if len(z) != want or z[0] not in "+-":
                    raise ValueError
                zdigits = z[1:].replace(":", "")
                if not zdigits.isdigit() or (":" in body and z[3:4] != ":"):
                    raise ValueError
                hh, mm, ss = int(zdigits[0:2]), int(zdigits[2:4] or 0), int(zdigits[4:6] or 0)
                off = timedelta(hours=hh, minutes=mm, seconds=ss)
                zone = timezone(-off if z[0] == "-" else off)
                value = value[want:]
            elif std == "MST":
                j = 0
                while j < len(value) and value[j].isupper():
                    j += 1
                if j < 3 and value[:j] != "Z":
                    raise ValueError
                name = value[:j]
                value = value[j:]
                if name == "UTC":
                    zone = UTC
        except (ValueError, StopIteration) as err:
            if isinstance(err, ParseError):
                raise
            raise fail(text, rest) from None
    if value:
        raise fail("", "", f": extra text: {_quote(value)}")
    if pm is not None:
        if pm and hour < 12:
            hour += 12
        elif not pm and hour == 12:
            hour = 0
    if yday >= 0:
        base = datetime(year, 1, 1) + timedelta(days=yday - 1)
        month, day = base.month, base.day
    try:
        naive = datetime(year, month, day, hour, minute, second, micro)
    except ValueError:
        raise fail("", "", ": day out of range") from None
    if zone is not None:
        return naive.replace(tzinfo=zone)
    return naive.replace(tzinfo=local)
