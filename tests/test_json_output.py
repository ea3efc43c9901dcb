"""``--json`` output: the document ``json.dumps(indent=2, ensure_ascii=False)`` writes.

The interface is the JSON value and its layout (two-space indent, UTF-8, keys in
the order the command gives them), whichever encoder writes it: orjson writes it
about ten times faster than the standard library's pure-Python indenting encoder,
which a 10k-contact ``due --json`` paid for in a tenth of a second.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

from hypothesis import given
from hypothesis import strategies as st

from mdnet.cli.common import json_text

scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                    st.text(), st.floats(allow_nan=False, allow_infinity=False))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.tuples(inner, inner),
                                                        st.dictionaries(st.text(), inner, max_size=4)),
                      max_leaves=20)


def _standard(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


@given(values)
def test_the_same_document_as_the_standard_library(data) -> None:
    out = json_text(data)
    assert json.loads(out) == json.loads(_standard(data))  # a float may be spelled otherwise (1e-05, 0.00001)
    assert len(out.splitlines()) == len(_standard(data).splitlines())  # the same layout, line for line


@given(st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text()),
                    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(), inner, max_size=4)),
                    max_leaves=20))
def test_byte_for_byte_without_floats(data) -> None:
    assert json_text(data) == _standard(data)


def test_what_json_cannot_hold_is_written_as_text_as_before() -> None:
    data = {"day": date(2026, 11, 20), "at": datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc), "set": {1},
            "big": 2**80, 3: "a key that is not text"}
    assert json_text(data) == _standard(data)

