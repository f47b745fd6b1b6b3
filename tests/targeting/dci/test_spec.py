"""The standard's own defects, shown on its own files, and the workarounds the other tests validate with
(docs/dci.md, "Choices")."""

import pytest
from jsonschema.exceptions import ValidationError
from referencing.exceptions import Unresolvable

from tests.targeting.dci import support as s

NUMERIC_PREDICATE = s.search(s.item("predicate", [{"expression1": s.predicate("age", "lt", 5)}]))
EXPRESSION = s.search(s.item("expression", {"type": "ns:org:QueryType:NoSql", "value": {
    "expression": {"collection": "Group", "query": {"poverty_score": {"$lt": 5}}}}}))
TWO_LETTER_LOCALE = s.search({**s.by_id("NIK", "1871015708450001"), "locale": "en"})


class TestDefectsOfTheStandard:
    def test_refs_that_point_through_other_refs_do_not_resolve(self):
        with pytest.raises(Unresolvable):
            s.validate(NUMERIC_PREDICATE, s.SYNC_SEARCH_REQUEST, s.repair(s.raw_spec(), refs=False))

    @pytest.mark.parametrize("body", [NUMERIC_PREDICATE, EXPRESSION], ids=["numeric_value", "expression"])
    def test_overlapping_one_of_refuses_valid_messages(self, body):
        with pytest.raises(ValidationError):
            s.validate(body, s.SYNC_SEARCH_REQUEST, s.repair(s.raw_spec(), any_of=False))

    def test_the_locale_pattern_refuses_its_own_example(self):
        with pytest.raises(ValidationError):
            s.validate(TWO_LETTER_LOCALE, s.SYNC_SEARCH_REQUEST, s.repair(s.raw_spec(), locale=False))

    @pytest.mark.parametrize("body", [NUMERIC_PREDICATE, EXPRESSION, TWO_LETTER_LOCALE])
    def test_with_the_workarounds_they_validate(self, body):
        s.validate(body, s.SYNC_SEARCH_REQUEST)

    def test_the_workarounds_still_refuse_what_the_standard_refuses(self):
        body = s.search(s.item("predicate", [{"expression1": s.predicate("age", "between", [1, 5])}]))
        with pytest.raises(ValidationError):
            s.validate(body, s.SYNC_SEARCH_REQUEST)
        with pytest.raises(ValidationError):
            s.validate({"header": s.header()}, s.SYNC_SEARCH_REQUEST)

    def test_the_registry_core_file_carries_the_typos_we_do_not_implement(self):
        unsubscribe = s.raw_spec("registry_core_api_v1.0.0.yaml")["components"]["schemas"]["UnSubscribeRequest"]
        assert "timesstamp" in unsubscribe["properties"] and "sunscription_codes" in unsubscribe["required"]
