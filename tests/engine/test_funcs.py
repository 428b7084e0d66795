"""Each template function, through a real render, with Helm's semantics."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from helmpy.engine.gofmt import go_quote, go_sprintf, go_time_format
from helmpy.errors import RenderError


def test_to_yaml_quotes_like_helm(r):
    values = {"m": {"a": "true", "b": "", "c": "x: y", "h": "1", "i": "it's", "n": "#x", "o": "~",
                    "p": "null", "q": "1.5", "s": "2020-01-01", "plain": "nginx", "num": 3, "f": 1.5,
                    "lst": [1, {"z": None}], "multi": "a\nb\n"}}
    out = r("{{ Values.m | toYaml }}", values)
    assert out == ('a: "true"\nb: ""\nc: \'x: y\'\nf: 1.5\nh: "1"\ni: it\'s\nlst:\n- 1\n- z: null\n'
                   'multi: |\n  a\n  b\n"n": \'#x\'\nnum: 3\no: "~"\np: "null"\nplain: nginx\nq: "1.5"\n'
                   's: "2020-01-01"')


def test_jinja_to_yaml_and_to_json_are_the_go_encoders(r):
    """The Jinja2 engine's toYaml/toJson are Helm's (helmpy.engine.gotemplate.goyaml/gojson): a numeric-looking
    git SHA stays a quoted string, emoji are escaped, long text folds at 80 columns, floats print as Go does."""
    values = {"tag": "1234e56", "oct": "0o17", "e": "😀", "f": 1e6, "g": 1234567.5,
              "long": "word " * 20 + "end", "html": "<a&b>"}
    assert r("{{ Values | toYaml }}", values) == (
        'e: "\\U0001F600"\nf: 1000000\ng: 1.2345675e+06\nhtml: <a&b>\n'
        'long: word word word word word word word word word word word word word word word word\n'
        '  word word word word end\noct: "0o17"\ntag: "1234e56"')
    assert r("{{ Values | toJson }}|{{ Values.html | toRawJson }}", {"html": "<a&b>", "f": 1e21}) == \
        '{"f":1e+21,"html":"\\u003ca\\u0026b\\u003e"}|"<a&b>"'


def test_to_yaml_edge_values(r):
    assert r("{{ Values.nope | toYaml }}|{{ [] | toYaml }}|{{ {} | toYaml }}|{{ '' | toYaml }}|{{ 1.0 | toYaml }}") == \
        'null|[]|{}|""|1'
    assert r("{{ toYaml(Values.l) }}", {"l": ["a"]}) == "- a"
    assert r("{{ Files | toYaml }}") == ""  # unrepresentable -> "" like Helm
    with pytest.raises(RenderError, match="mustToYaml|RepresenterError|cannot represent"):
        r("{{ Files | mustToYaml }}")


def test_to_json(r):
    assert r("{{ Values.m | toJson }}", {"m": {"b": [1, 2.0], "a": "<x>", "c": None}}) == \
        '{"a":"\\u003cx\\u003e","b":[1,2],"c":null}'
    assert r("{{ toJson('a') }} {{ Values.nope | toJson }} {{ 1.5 | toJson }}") == '"a" null 1.5'
    assert r("{{ {'a': 1} | toPrettyJson }}") == '{\n  "a": 1\n}'


def test_from_yaml_and_json(r):
    assert r("{{ (Values.y | fromYaml).a.b }}", {"y": "a:\n  b: 5\n"}) == "5"
    assert r("{{ ('a: [' | fromYaml).Error is defined }}") == "true"
    assert r("{{ ('- 1' | fromYaml).Error is defined }}") == "true"
    assert r("{{ ('- 1\n- 2' | fromYamlArray) | length }}") == "2"
    assert r("{{ ('{\"a\": {\"b\": 2}}' | fromJson).a.b }}") == "2"
    assert r("{{ ('nope' | fromJson).Error is defined }}") == "true"
    assert r("{{ ('[1,2,3]' | fromJsonArray) | length }}") == "3"


def test_base64_and_hashes(r):
    assert r("{{ 'hello' | b64enc }} {{ 'aGVsbG8=' | b64dec }}") == "aGVsbG8= hello"
    assert r("{{ '%%%' | b64dec }}").startswith("illegal base64 data")
    assert r("{{ 'abc' | sha256sum }}") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert r("{{ 'abc' | sha1sum }}") == "a9993e364706816aba3e25717850c26c9cd0d89d"
    assert r("{{ Files.GetBytes('f') | b64enc }}", files={"f": b"\x00\x01"}) == "AAE="


def test_quote_and_squote(r):
    assert r('{{ Values.s | quote }} {{ 5 | quote }} {{ true | quote }} {{ Values.nope | quote }}|'
             '{{ quote("a", "b") }} {{ Values.s | squote }}', {"s": 'say "hi"\n'}) == \
        '"say \\"hi\\"\\n" "5" "true" |"a" "b" \'say "hi"\n\''
    assert go_quote("a\tb\u00a0é\x01") == '"a\\tb\\u00a0é\\x01"'


def test_indent_and_nindent(r):
    assert r("x:{{ 'a\nb\n' | indent(2) }}|{{ 'a\nb' | nindent(4) }}") == "x:  a\n  b\n  |\n    a\n    b"
    assert r("{{ indent(2, 'q') }}{{ nindent(1, 'w') }}") == "  q\n w"


def test_trunc_trim(r):
    assert r("{{ 'abcdef' | trunc(3) }} {{ 'abcdef' | trunc(-2) }} {{ 'ab' | trunc(5) }} {{ trunc(2, 'xyz') }}") == \
        "abc ef ab xy"
    assert r("{{ 'name-' | trimSuffix('-') }} {{ 'v1.2' | trimPrefix('v') }} {{ '  x ' | trim }}|"
             "{{ '$$5$' | trimAll('$') }}") == "name 1.2 x|5"


@pytest.mark.parametrize("value, expected", [
    ("''", "D"), ("0", "D"), ("false", "D"), ("[]", "D"), ("{}", "D"), ("none", "D"), ("Values.nope", "D"),
    ("'x'", "x"), ("1", "1"), ("true", "true"), ("[1]", "[1]"), ("0.5", "0.5"),
])
def test_default_treats_empty_as_unset(r, value, expected):
    assert r(f"{{{{ {value} | default('D') }}}}") == expected


def test_default_global_form(r):
    assert r("{{ default('D', Values.x) }} {{ default('D', Values.y) }}", {"y": "set"}) == "D set"
    assert r("{{ Values.image.tag | default(Chart.AppVersion) | quote }}", {"image": {}}) == '""'


def test_empty_coalesce_ternary(r):
    assert r("{{ empty('') }} {{ empty(Values.x) }} {{ empty([0]) }} {{ 0 | empty }} {{ '' is empty }}") == \
        "true true false true true"
    assert r("{{ coalesce(Values.a, '', 0, 'c', 'd') }}|{{ coalesce(Values.a) }}") == "c|"
    assert r("{{ true | ternary('y', 'n') }} {{ ternary('y', 'n', Values.x) }}") == "y n"


def test_string_functions(r):
    assert r("{{ 'Hi' | upper }} {{ 'Hi' | lower }} {{ 'hello wORLD-x' | title }}") == "HI hi Hello WORLD-X"
    assert r("{{ 'a.b.c' | replace('.', '-') }} {{ replace('.', '_', 'x.y') }}") == "a-b-c x_y"
    assert r("{{ 'catch' | contains('cat') }} {{ contains('dog', 'catch') }} {{ 'v1.2' | hasPrefix('v') }} "
             "{{ 'a.yaml' | hasSuffix('.yml') }}") == "true false true false"
    assert r("{{ 5 | toString }}{{ true | toString }}{{ Values.n | toString }}|{{ '12' | int + 1 }} "
             "{{ 3.9 | int }} {{ 'x' | int }}") == "5true|13 3 0"
    assert r("{{ 'a,b' | splitList(',') | join('+') }} {{ 'x' | repeat(3) }} {{ 'hello' | substr(1, 3) }} "
             "{{ 'a b' | nospace }} {{ 'FooBar' | snakecase }} {{ 'foo_bar' | camelcase }} {{ 'fooBar' | kebabcase }}") \
        == "a+b xxx el ab foo_bar FooBar foo-bar"
    assert r("{{ 'abc123' | regexMatch('[0-9]+') }} {{ regexReplaceAll('(a)(b)', 'xaby', '${2}$1') }} "
             "{{ 'ab12' | regexFind('[0-9]+') }}") == "true xbay 12"


def test_printf(r):
    assert r("{{ printf('%s-%d-%v-%q-%.2f-%t', 'a', 3, true, 'q', 1.234, false) }}") == 'a-3-true-"q"-1.23-false'
    assert go_sprintf("%05d|%-4s|%x|%%|%v", 42, "ab", 255, None) == "00042|ab  |ff|%|<nil>"
    assert go_sprintf("%s %s", "one") == "one %!s(MISSING)"


def test_collections(r):
    assert r("{{ list(1, 'a') | toJson }} {{ dict('a', 1, 'b', Values.nope) | toJson }} {{ dict(x=2) | toJson }}") \
        == '[1,"a"] {"a":1,"b":null} {"x":2}'
    assert r("{{ Values.m | hasKey('a') }} {{ hasKey(Values.m, 'z') }} {{ Values.m | keys | sort | join(',') }}",
             {"m": {"a": 1, "b": 2}}) == "true false a,b"
    assert r("{{ merge(Values.dst, Values.src) | toJson }}",
             {"dst": {"a": 1, "n": {"x": 1}}, "src": {"a": 2, "b": 3, "n": {"x": 2, "y": 3}}}) == \
        '{"a":1,"b":3,"n":{"x":1,"y":3}}'
    assert r("{{ mergeOverwrite(Values.dst, Values.src) | toJson }}", {"dst": {"a": 1}, "src": {"a": 2}}) == '{"a":2}'
    assert r("{{ append(Values.l, 3) | toJson }} {{ Values.l | has(2) }} {{ [1, 1, 2] | uniq | toJson }} "
             "{{ ['', 'a'] | compact | toJson }} {{ pluck('a', {'a': 1}, {'b': 2}) | toJson }} "
             "{{ dig('a', 'b', 'dflt', {'a': {}}) }} {{ get(Values.m2, 'k') }}",
             {"l": [1, 2], "m2": {"k": "v"}}) == '[1,2,3] true [1,2] ["a"] [1] dflt v'
    with pytest.raises(RenderError, match="hasKey: expected a map, got list"):
        r("{{ hasKey([1], 'a') }}")


def test_semver_compare(r):
    assert r("{{ semverCompare('>=1.20.0-0', Capabilities.KubeVersion.GitVersion) }} "
             "{{ semverCompare('<1.20', '1.25.0') }} {{ '1.2.3' | semverCompare('~1.2') }}") == "true false true"
    with pytest.raises(RenderError, match="semverCompare"):
        r("{{ semverCompare('>=1', 'not-a-version') }}")


def test_random_and_uuid(r):
    out = r("{{ randAlphaNum(12) }}|{{ randAlpha(4) }}|{{ randNumeric(5) }}|{{ uuidv4() }}")
    a, b, c, u = out.split("|")
    assert re.fullmatch(r"[A-Za-z0-9]{12}", a) and re.fullmatch(r"[A-Za-z]{4}", b) and re.fullmatch(r"\d{5}", c)
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", u)
    assert r("{{ randAlphaNum(3) }}") != r("{{ randAlphaNum(30) }}")


def test_now_and_date(r):
    year = str(datetime.now().year)
    assert r("{{ now() | date('2006') }}") == year
    assert r("{{ date('2006-01-02', now()) }}")[:4] == year
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", r("{{ now() | dateFormat('2006-01-02T15:04:05') }}"))
    when = datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)
    assert go_time_format(when, "2006-01-02T15:04:05.000Z07:00 Mon Jan _2 3:4:5 PM") == \
        "2024-03-05T14:07:09.123Z Tue Mar  5 2:7:9 PM"
    assert r("{{ date('2006-01-02', 0) }}") in ("1970-01-01", "1969-12-31")


def test_lookup_and_misc_globals(r):
    assert r("{{ getHostByName('example.com') }}|{{ kindOf([]) }} {{ kindOf({}) }} {{ kindIs('string', 'a') }}") == \
        "|slice map true"
    assert r("{{ add(1, 2, 3) }} {{ sub(5, 2) }} {{ mul(2, 3) }} {{ div(7, 2) }} {{ mod(7, 2) }} {{ max(1, 5) }} "
             "{{ until(3) | toJson }}") == "6 3 6 3 1 5 [0,1,2]"
    assert r("{{ cat('a', Values.nope, 'b') }} {{ 'x/y.txt' | base }} {{ 'x/y.txt' | ext }} {{ 'x/y.txt' | dir }}") == \
        "a b y.txt .txt x"


def test_to_yaml_snapshot_cache_keeps_types_and_sees_changes():
    """toYaml caches dumps of equal plain values; 1, 1.0, True and "1" must not share an entry, and a
    mutated map must be dumped afresh."""
    from helmpy.engine.funcs import must_to_yaml

    assert [must_to_yaml({"a": v}) for v in (1, 1.0, True, "1", None)] == \
        ["a: 1", "a: 1", "a: true", 'a: "1"', "a: null"]
    labels = {"team": "x"}
    assert must_to_yaml(labels) == "team: x"
    labels["tier"] = "web"
    assert must_to_yaml(labels) == "team: x\ntier: web"
    assert must_to_yaml([{"k": [1, "b"]}]) == "- k:\n  - 1\n  - b"
    assert must_to_yaml("plain") == "plain"
