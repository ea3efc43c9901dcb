"""vault/simpleyaml.py reads the common shape of frontmatter exactly as PyYAML does, or declines."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdnet.vault.parse import _Ctx, _simple_yaml, _yaml

yaml, LOADER = _yaml()
SIMPLE = _simple_yaml()


def pyyaml(text: str) -> object:
    try:
        return yaml.load(text, Loader=LOADER)
    except Exception as e:  # noqa: BLE001 - any failure is "not this value"
        return ("failed", type(e).__name__)


def agrees(text: str) -> object:
    lines: dict[str, int] = {}
    got = SIMPLE.load(text, lines)
    if got is None:
        assert lines == {}
    else:
        ctx = _Ctx("n.md", text)  # the line of each key, as parse.py finds it otherwise
        assert lines == {k: ctx.line_of(k) for k in got}, text
        want = pyyaml(text)
        assert got == want, text
        assert [type(v) for v in got.values()] == [type(v) for v in want.values()], text  # True is not 1
        assert list(got) == list(want), text  # the order of the keys too
    return got


COMMON = [
    "type: person\nname: Ana Lopez\ncompany: \"[[Acme]]\"\ntags: [a, b]\nadded: 2026-01-02\n",
    "ask_about:\n  - the book club\n  - 'quoted'\noffers:\n- indentless\nstatus: active\n",
    "with:\n  - \"[[Ana Lopez]]\"\n  - \"[[Bo]]\"\nkind: lunch\ndate: 2026-05-23\n",
    "knows_search: true\nempty:\nnext: Send résumé, then wait\nurl: https://x.example/a:b\n",
    "count: 42\nneg: -7\nnothing: ~\nflag: no\n",
    "name: A\n\nname: B\n",  # a repeated key: the last value, at the first's place
    "phone: \"+1 555 912 8470\"\ntags: []\nodd: [ x ,  y z ]\n",
]


@pytest.mark.parametrize("text", COMMON)
def test_the_common_shapes_are_read_as_pyyaml_reads_them(text: str) -> None:
    assert agrees(text) is not None


DECLINED = [
    "a: 1.5\n",  # floats
    "a: 0x1f\n",  # other integer forms
    "a: 1_000\n",
    "a: 12:30\n",  # sexagesimal
    "a: b # comment\n",
    "# comment\na: b\n",
    "a: |\n  block\n",
    "a: &x b\nc: *x\n",
    "a: !!str 1\n",
    "a: \"esc\\tape\"\n",
    "a: 'it''s'\n",
    "a:\n  b: c\n",
    "a: b\n  continued\n",
    "a: [1, [2]]\n",
    "a: [x,\n  y]\n",
    "a: {b: c}\n",
    "a:\t b\n",
    "a: b\u2028c\n",
    "a: \ufeffb\n",
    "a: b: c\n",
    "a: b:\n",
    "yes: b\n",
    "<<: b\n",
    "a:\n  - x\n - y\n",
    "a:\n  -\n",
    "a:\n  - [x]\n",
    "a: [\"x, y\"]\n",
    "a: [x,]\n",
    "k" * 1100 + ": v\n",
    # libyaml wants a key's ':' within 1024 characters of its start (found in review)
    "x: 1\na" + " " * 1024 + ": b\n",
    "name" + " " * 1030 + ": Ana Lopez\n",
    "k" * 1000 + " " * 25 + ": v\n",
]


@pytest.mark.parametrize("text", DECLINED)
def test_what_it_is_not_sure_of_is_left_to_pyyaml(text: str) -> None:
    assert SIMPLE.load(text) is None


@pytest.mark.parametrize("name", [1, 500, 999, 1000])
@pytest.mark.parametrize("pad", [0, 1, 23, 24, 25, 1023, 1024])
def test_a_key_padded_before_its_colon_is_read_as_pyyaml_reads_it_or_declined(name: int, pad: int) -> None:
    for text in ("k" * name + " " * pad + ": v\n", "a: 1\n" + "k" * name + " " * pad + ": v\n"):
        got = SIMPLE.load(text)
        try:
            want = yaml.load(text, Loader=LOADER)
        except yaml.YAMLError:
            assert got is None, (name, pad)
        else:
            assert got is None or got == want, (name, pad)


# Fragments that YAML treats specially, joined into lines at random.
_WORDS = st.sampled_from([
    "a", "name", "Ana", "x y", "yes", "No", "on", "OFF", "true", "null", "Null", "~", "0", "01", "-1", "+3", "1_0",
    "0x1f", "0o7", "1.5", ".5", ".inf", "1e3", "12:30", "2026-01-02", "2026-1-2", "2026-01-02T10:00",
    "-", "--", "---", "...", "?", ":", "::", ": ", "#", " #", "a#b", "[", "]", "[]", "{", "}", ",", ", ", "&", "*",
    "!", "|", ">", "'", "''", '"', '\\', "%", "@", "`", "<<", "=", "[[Ana]]", "\"[[Ana]]\"", "'q'", "\"q\"",
    "é", "名", "😀", "\u00a0", "\u2028", "\u0085", "\t", " ", "  ", "https://x.y/z", "a:b", "a -b", "e", "E",
])
_LINE = st.one_of(
    st.builds(lambda k, v: f"{k}: {v}", _WORDS, st.lists(_WORDS, max_size=4).map("".join)),
    st.builds(lambda k: f"{k}:", _WORDS),
    st.builds(lambda ind, v: f"{ind}- {v}", st.sampled_from(["", " ", "  ", "    "]), st.lists(_WORDS, max_size=3).map("".join)),
    st.builds(lambda k, vs: f"{k}: [{', '.join(vs)}]", _WORDS, st.lists(_WORDS, max_size=4)),
    st.lists(_WORDS, max_size=4).map("".join),
)


# Mostly ordinary words with a tricky one now and then: most of these are in the subset.
_MOSTLY_PLAIN = st.one_of(st.sampled_from(["Ana", "x", "b c", "Lopez", "2026-01-02", "42", "a.b", "é", "t"]), _WORDS)
_KEY = st.one_of(st.sampled_from(["name", "a", "tags", "how_met", "b-c", "d.e", "k 2", "_x"]), _WORDS)
_VALUE = st.lists(_MOSTLY_PLAIN, min_size=1, max_size=3).map(" ".join)
_QUOTED = _VALUE.map(lambda v: f'"{v}"') | _VALUE.map(lambda v: f"'{v}'")
_ORDINARY_LINE = st.one_of(
    st.builds(lambda k, v, sp: f"{k}:{sp}{v}", _KEY, _VALUE | _QUOTED, st.sampled_from([" ", "  "])),
    st.builds(lambda k, sp: f"{k}:{sp}", _KEY, st.sampled_from(["", " "])),
    st.builds(lambda ind, v, sp: f"{ind}- {v}{sp}", st.sampled_from(["", "  ", "  ", " "]), _VALUE | _QUOTED,
              st.sampled_from(["", " "])),
    st.builds(lambda k, vs: f"{k}: [{', '.join(vs)}]", _KEY, st.lists(_VALUE | _QUOTED, max_size=4)),
    st.sampled_from(["", " "]),
)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINE, min_size=1, max_size=8))
def test_generated_frontmatter_is_read_as_pyyaml_reads_it_or_declined(lines: list[str]) -> None:
    agrees("\n".join(lines) + "\n")


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ORDINARY_LINE, min_size=1, max_size=10))
def test_generated_ordinary_frontmatter_is_read_as_pyyaml_reads_it(lines: list[str]) -> None:
    agrees("\n".join(lines) + "\n")


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_read_as_pyyaml_reads_it_or_declined(text: str) -> None:
    agrees(text)
