"""The --set grammar, rule by rule, with Helm's exact error messages (helm-reference 4.6)."""

from __future__ import annotations

import pytest

from helmpy.errors import StrvalsError, ValuesError
from helmpy.values import strvals


@pytest.mark.parametrize("arg, expected", [
    ("a=1", {"a": 1}),
    ("a.b=c", {"a": {"b": "c"}}),
    ("a.b=1,a.c=2", {"a": {"b": 1, "c": 2}}),
    ("a=1,", {"a": 1}),                                   # trailing comma accepted
    ("b=true,c=FALSE,d=null,e=Null", {"b": True, "c": False, "d": None, "e": None}),
    ("z=0,n=-5,p=+5,big=123", {"z": 0, "n": -5, "p": 5, "big": 123}),
    ("s=007,f=1.5,e=1e3,o=9223372036854775808,m=9223372036854775807",
     {"s": "007", "f": "1.5", "e": "1e3", "o": "9223372036854775808", "m": 9223372036854775807}),
    ("empty=", {"empty": ""}),
    ("r=x=y", {"r": "x=y"}),
    ("w= spaced out ", {"w": " spaced out "}),
    (r"o=a\,b", {"o": "a,b"}),
    (r"q=a\=b", {"q": "a=b"}),
    (r"a.b\.c=1", {"a": {"b.c": 1}}),
    ("l={a,b,1,true}", {"l": ["a", "b", 1, True]}),
    ("l={}", {"l": [""]}),
    ("l={a,b},x=1", {"l": ["a", "b"], "x": 1}),
    ("a[0]=x", {"a": ["x"]}),
    ("a[2]=z", {"a": [None, None, "z"]}),
    ("a[0].b=1,a[0].c=2", {"a": [{"b": 1, "c": 2}]}),
    ("a[0][1]=2", {"a": [[None, 2]]}),
    ("b[1].c=1,b[0]=x", {"b": ["x", {"c": 1}]}),
    ("a[65536]=1", {"a": [None] * 65536 + [1]}),
    ("=1,a=2", {"a": 2}),                                 # empty key silently ignored
    ("a[0]", {"a": []}),                                  # Helm quirk: ends inside an index
    ("a[0", {}),                                          # Helm quirk: EOF while reading the index
])
def test_parse_set(arg: str, expected: dict) -> None:
    assert strvals.parse_set(arg, {}) == expected


def test_nesting_limit_31_parts_ok_32_fail() -> None:
    ok = ".".join(f"k{i}" for i in range(31)) + "=1"
    value = strvals.parse_set(ok, {})
    for i in range(30):
        value = value[f"k{i}"]
    assert value == {"k30": 1}
    with pytest.raises(StrvalsError) as err:
        strvals.parse_set(".".join(f"k{i}" for i in range(32)) + "=1", {})
    assert str(err.value) == ("failed parsing --set data: value name nested level is greater than maximum "
                              "supported nested level of 30")


@pytest.mark.parametrize("arg, message", [
    ("a", 'key "a" has no value'),
    ("a=1,b", 'key "b" has no value'),
    ("a,", 'key "a" has no value (cannot end with ,)'),
    ("a=1,,b=2", 'key "" has no value (cannot end with ,)'),
    ("a.=1", 'key map "a" has no value'),
    ("x={a,b}c", 'key "c" has no value'),
    ("a={a,b", "list must terminate with '}'"),
    ("a[-1]=1", "negative -1 index not allowed"),
    ("a[70000]=1", "index of 70000 is greater than maximum supported index of 65536"),
    ("a[1x]=1", 'error parsing index: strconv.Atoi: parsing "1x": invalid syntax'),
    ("a[]=1", 'error parsing index: strconv.Atoi: parsing "": invalid syntax'),
    ("a[1]x=1", "unexpected data at end of array index: ['x']"),
    ('k"q', 'key "k\\"q" has no value'),
])
def test_parse_set_errors(arg: str, message: str) -> None:
    with pytest.raises(StrvalsError) as err:
        strvals.parse_set(arg, {})
    assert str(err.value) == f"failed parsing --set data: {message}"
    assert isinstance(err.value, ValuesError)
    assert arg in (err.value.hint or "")


@pytest.mark.parametrize("dest, arg, message", [
    ({"a": 1}, "a.b=2", "interface {} is int64, not map[string]interface {}"),
    ({"a": 1}, "a[0]=2", "interface {} is int64, not []interface {}"),
    ({"a": "x"}, "a[0]=x", "interface {} is string, not []interface {}"),
    ({"a": None}, "a.b=1", "interface {} is nil, not map[string]interface {}"),
    ({"a": [1]}, "a[0][0]=x", "interface {} is int64, not []interface {}"),
])
def test_key_path_through_scalar(dest: dict, arg: str, message: str) -> None:
    with pytest.raises(StrvalsError) as err:
        strvals.parse_set(arg, dest)
    assert str(err.value) == f"failed parsing --set data: unable to parse key: interface conversion: {message}"


def test_writes_into_dest_and_edits_existing_lists() -> None:
    dest = {"a": [1, 2, 3], "m": {"keep": 1}}
    out = strvals.parse_set("a[1]=X,m.new=2", dest)
    assert out is dest
    assert dest == {"a": [1, "X", 3], "m": {"keep": 1, "new": 2}}
    # an out-of-order map index replaces a scalar item with a fresh map
    assert strvals.parse_set("a[0].c=1", {"a": [1, {"b": 2}]}) == {"a": [{"c": 1}, {"b": 2}]}


def test_set_string_keeps_strings() -> None:
    assert strvals.parse_set_string("a=1,b=true,c=null,l={1,x}", {}) == {
        "a": "1", "b": "true", "c": "null", "l": ["1", "x"]}
    with pytest.raises(StrvalsError, match=r'^failed parsing --set-string data: key "a" has no value$'):
        strvals.parse_set_string("a", {})


def test_set_literal_takes_rest_verbatim() -> None:
    assert strvals.parse_set_literal(r"a.b=x,y=\z", {}) == {"a": {"b": "x,y=\\z"}}
    assert strvals.parse_set_literal("a[1]=1", {}) == {"a": [None, "1"]}
    assert strvals.parse_set_literal(r"k\x=1", {}) == {"k\\x": "1"}     # no escapes in keys
    with pytest.raises(StrvalsError, match=r'^failed parsing --set-literal data: key "a" has no value$'):
        strvals.parse_set_literal("a", {})
    with pytest.raises(StrvalsError, match=r"unexpected data at end of array index: \['x'\]$"):
        strvals.parse_set_literal("a[1]x=1", {})


@pytest.mark.parametrize("arg, expected", [
    ('a=[1,2],b={"x":1}', {"a": [1, 2], "b": {"x": 1}}),
    ("a=1b=2", {"a": 1, "b": 2}),
    ('a=  ,b= "x" , c=1.50', {"a": None, "b": "x", " c": 1.5}),
    ("a[1]=2,b.c=3", {"a": [None, 2], "b": {"c": 3}}),
    ("a=", {"a": None}),
    (' {"a":{"b":1}}', {"a": {"b": 1}, "keep": 1}),
])
def test_parse_set_json(arg: str, expected: dict) -> None:
    dest = {"keep": 1} if arg.strip().startswith("{") else {}
    assert strvals.parse_set_json(arg, dest) == expected


def test_set_json_object_merges_deeply() -> None:
    dest = {"a": {"b": 1}}
    strvals.parse_set_json('{"a":{"c":2}}', dest)
    assert dest == {"a": {"b": 1, "c": 2}}


@pytest.mark.parametrize("arg, message", [
    ('{"a":1', 'failed parsing --set-json data JSON: {"a":1'),
    ("a=[1", "failed parsing --set-json data a=[1"),
    ("a=x", "failed parsing --set-json data a=x"),
    ("a=NaN", "failed parsing --set-json data a=NaN"),
    ("a", "failed parsing --set-json data a"),
])
def test_parse_set_json_errors(arg: str, message: str) -> None:
    with pytest.raises(StrvalsError) as err:
        strvals.parse_set_json(arg, {})
    assert str(err.value) == message


def test_set_file_uses_reader() -> None:
    files = {"/a.txt": "hello\n", "/b": "x,y"}

    def read(path: str) -> str:
        if path not in files:
            raise ValuesError(f"open {path}: no such file or directory")
        return files[path]

    assert strvals.parse_set_file("a=/a.txt,b.c=/b", {}, read) == {"a": "hello\n", "b": {"c": "x,y"}}
    with pytest.raises(StrvalsError) as err:
        strvals.parse_set_file("a=/missing", {}, read)
    assert str(err.value) == "failed parsing --set-file data: open /missing: no such file or directory"
