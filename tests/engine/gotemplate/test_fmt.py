"""Go's fmt as templates use it: cases restated from fmt's documentation and fmt_test.go, and the
outputs real Helm printed for the same calls (see test_helm_exec.py for the live comparison)."""

from __future__ import annotations

import pytest

from helmpy.engine.gotemplate.fmt import format_float, sprint, sprintf, sprintln
from helmpy.engine.gotemplate.values import NO_VALUE

M = {"b": 2.0, "a": 1.0}
L = [1.0, "a", 2.5, None, True]

SPRINTF = [
    ("%d", (5,), "5"), ("%5d|%-5d|%05d", (3, 3, -42), "    3|3    |-0042"), ("%+d|% d", (5, 5), "+5| 5"),
    ("%x|%X|%#x|%o|%#o|%O|%b", (255, 255, 255, 8, 8, 8, 5), "ff|FF|0xff|10|010|0o10|101"),
    ("%x", (-255,), "-ff"), ("%.3d|%8.3d|%.0d", (7, 7, 0), "007|     007|"),
    ("%c|%q|%U|%#U", (65, 65, 65, 65), "A|'A'|U+0041|U+0041 'A'"),
    ("%s|%q|%+q|%#q|%x|% x|%X", ("hi", "hi\n", "é", "ab", "hi", "hi", "hi"),
     'hi|"hi\\n"|"\\u00e9"|`ab`|6869|68 69|6869'),
    ("%.2s|%5.1q|%-8s|%8s|%08s", ("héllo", "abc", "ab", "cd", "ab"), 'hé|  "a"|ab      |      cd|000000ab'),
    ("%t|%t|%5t", (True, False, True), "true|false| true"),
    ("%f|%.2f|%6.2f|%+.2f|%08.3f|%-8.3f", (3.14159,) * 4 + (-3.14159, 2.5),
     "3.141590|3.14|  3.14|+3.14|-003.142|2.500   "),
    ("%e|%E|%.3e|%g|%G|%.3g|%10.4g", (123456.789, 1.5, 123456.789, 0.000001234, 1e21, 1.0, 3.14159265),
     "1.234568e+05|1.500000E+00|1.235e+05|1.234e-06|1E+21|1|     3.142"),
    ("%v|%v|%v|%v|%v|%v", (1e6, 100000.0, 123456789.0, 0.0001, 0.00001, 1e21),
     "1e+06|100000|1.23456789e+08|0.0001|1e-05|1e+21"),
    ("%v|%.2v|%x", (3.14159, 3.14159, 1.5), "3.14159|3.1|0x1.8p+00"),
    ("%v|%v|%v", (float("inf"), float("-inf"), float("nan")), "+Inf|-Inf|NaN"),
    ("%v %+v %#v", (M, M, L), 'map[a:1 b:2] map[a:1 b:2] []interface {}{1, "a", 2.5, interface {}(nil), true}'),
    ("%#v|%#v|%#v", ("hello", 3.5, 7), '"hello"|3.5|7'),
    ("%s", (L,), "[%!s(float64=1) a %!s(float64=2.5) <nil> %!s(bool=true)]"),
    ("%d", (L,), "[%!d(float64=1) %!d(string=a) %!d(float64=2.5) <nil> %!d(bool=true)]"),
    ("%s", (M,), "map[a:%!s(float64=1) b:%!s(float64=2)]"),
    ("%x", (L,), "[0x1p+00 61 0x1.4p+01 <nil> %!x(bool=true)]"),
    ("%10v|%-10v|", (M, L), "map[         a:         1          b:         2]|[1          a          2.5        <nil> true      ]|"),
    ("%T|%T|%T|%T|%T|%T|%T", (1, 1.5, "s", True, M, L, None),
     "int|float64|string|bool|map[string]interface {}|[]interface {}|<nil>"),
    ("%v|%d|%s", (None, None, None), "<nil>|%!d(<nil>)|%!s(<nil>)"),
    ("%d|%s|%t|%d|%z", ("x", 5, 1, True, 1), "%!d(string=x)|%!s(int=5)|%!t(int=1)|%!d(bool=true)|%!z(int=1)"),
    ("%d", (1.5,), "%!d(float64=1.5)"), ("%d %d", (1,), "1 %!d(MISSING)"), ("%!", (), "%!!(MISSING)"),
    ("%", (), "%!(NOVERB)"), ("x", (1, "a", None), "x%!(EXTRA int=1, string=a, <nil>)"), ("%%|%5%", (), "%|%"),
    ("%[2]d %[1]d|%[3]d|%*d|%.*f|%[1]*d", (1, 2, 3, 4, 2, 3.14159), "2 1|3|   2|%!(BADPREC)%!f(MISSING)|2"),
    ("%[5]d", (1,), "%!d(BADINDEX)"), ("%-*d|", (-4, 7), "7   |"),
    ("%v|%v", (1 + 2j, 2j), "(1+2i)|(0+2i)"), ("%s|%x", (b"hi", b"hi"), "hi|6869"), ("%v", (b"hi",), "[104 105]"),
]


@pytest.mark.parametrize(("fmt", "args", "want"), SPRINTF, ids=[c[0] for c in SPRINTF])
def test_sprintf(fmt: str, args: tuple[object, ...], want: str) -> None:
    assert sprintf(fmt, *args) == want


def test_sprint_adds_spaces_only_between_non_strings() -> None:
    assert sprint(1, 2, "a", "b", 3, None, 4) == "1 2ab3 <nil> 4"
    assert sprint("a", 1, "b") == "a1b"
    assert sprint(NO_VALUE) == "<nil>"
    assert sprintln(1, "a") == "1 a\n"
    assert sprintln() == "\n"


@pytest.mark.parametrize(("value", "verb", "prec", "want"), [
    (0.0, "g", -1, "0"), (-0.0, "g", -1, "-0"), (1.0, "e", -1, "1e+00"), (123.0, "f", -1, "123"),
    (0.1, "f", -1, "0.1"), (1e-7, "f", -1, "0.0000001"), (2.5, "f", 0, "2"), (3.5, "f", 0, "4"),
    (1e100, "g", -1, "1e+100"), (123456.0, "g", -1, "123456"), (1234567.0, "g", -1, "1.234567e+06"),
    (0.000012345, "g", 3, "1.23e-05"), (100.0, "g", 2, "1e+02"), (5e-324, "g", -1, "5e-324"),
])
def test_format_float_matches_strconv(value: float, verb: str, prec: int, want: str) -> None:
    assert format_float(value, verb, prec) == want
