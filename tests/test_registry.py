"""State look-ups by code, name and alias resolve to the same State."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normwatch.core.model import State
from normwatch.core.registry import Registry, fold
from normwatch.errors import UnknownStateError


def _registry() -> Registry:
    return Registry.build(
        [
            State("TUR", "TR", "Türkiye", "WEOG", aliases=("Turkey",)),
            State("SWZ", "SZ", "Eswatini", "African", aliases=("Swaziland",)),
            State("LTU", "LT", "Lithuania", "EEG"),
        ]
    )


def test_get_by_code_returns_the_state_with_that_code() -> None:
    reg = _registry()
    assert reg.get("TUR").name == "Türkiye"
    assert reg.get("LTU").alpha2 == "LT"
    assert reg.name("SWZ") == "Eswatini"


def test_get_unknown_code_raises_naming_it() -> None:
    with pytest.raises(UnknownStateError, match="'XXX'"):
        _registry().get("XXX")


def test_code_name_and_alias_resolve_to_the_same_state() -> None:
    reg = _registry()
    for key in ("TUR", "TR", "Türkiye", "turkiye", "Turkey", "  TURKEY "):
        assert reg.get(reg.resolve(key)) is reg.get("TUR")
    assert reg.resolve("Swaziland") == reg.resolve("Eswatini") == "SWZ"


def test_every_state_is_found_by_its_own_code() -> None:
    reg = _registry()
    assert [reg.get(c).code for c in reg.codes] == ["LTU", "SWZ", "TUR"]


def test_names_in_other_languages_are_added_only_where_they_name_one_state() -> None:
    reg = _registry()
    more = reg.with_aliases(
        [
            ("Lituanie", "LTU"),
            ("Turquie", "TUR"),
            ("Turkey", "LTU"),  # another State's alias: left out
            ("Atlantis", "ATL"),  # no such State: left out
        ]
    )
    assert more.lookup("lituanie") == "LTU"
    assert more.lookup("Turquie") == "TUR"
    assert more.lookup("Turkey") == "TUR"
    assert more.lookup("Atlantis") is None
    assert reg.lookup("Lituanie") is None  # the registry it came from is unchanged


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_an_ascii_name_folds_as_the_full_unicode_procedure_does(name: str) -> None:
    import unicodedata

    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    assert fold(name) == " ".join(text.casefold().split())
