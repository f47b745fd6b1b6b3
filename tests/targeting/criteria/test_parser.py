"""The whitelist and the error pointers, without a database."""

from datetime import date

import pytest

from targeting.criteria.compiler import years_before
from targeting.criteria.errors import CriteriaInvalidError
from targeting.criteria.fields import HOUSEHOLD_FIELDS, MEMBER_FIELDS, Op
from targeting.criteria.parser import MAX_DEPTH, MAX_NODES, parse_criteria
from targeting.criteria.tree import AllOf, AnyOf, Leaf, MemberExists, Not


def errors_of(raw):
    with pytest.raises(CriteriaInvalidError) as caught:
        parse_criteria(raw)
    return [(e["pointer"], e["code"]) for e in caught.value.errors]


def leaf(field, op, value):
    return {"field": field, "op": op, "value": value}


class TestAcceptedTrees:
    def test_parses_branches_and_typed_values(self):
        tree = parse_criteria({"all": [
            leaf("welfare_decile", "between", [1, 4]),
            {"not": leaf("housing.floor", "in", ["earth", "bamboo"])},
            {"any": []},
            {"member": {"all": [leaf("birth_date", "lt", "2010-01-01"), leaf("education", "lte", "primary")]}},
        ]})
        assert isinstance(tree, AllOf)
        decile, negation, empty, member = tree.children
        assert decile == Leaf(HOUSEHOLD_FIELDS["welfare_decile"], Op.between, (1, 4))
        assert isinstance(negation, Not) and negation.child.value == ("earth", "bamboo")
        assert empty == AnyOf(())
        assert isinstance(member, MemberExists)
        assert member.condition.children[0] == Leaf(MEMBER_FIELDS["birth_date"], Op.lt, date(2010, 1, 1))

    @pytest.mark.parametrize(("field", "ops"), [
        ("welfare_decile", "eq ne lt lte gt gte in between is_null"),
        ("housing.floor_area_m2", "eq ne lt lte gt gte in between is_null"),
        ("member_count", "eq ne lt lte gt gte in between is_null"),
        ("extreme_poor", "eq ne is_null"),
        ("housing.toilet", "eq ne in is_null"),
        ("region_code", "eq ne in is_null"),
    ])
    def test_each_household_field_takes_the_ops_of_its_type(self, field, ops):
        sample = {"welfare_decile": 2, "housing.floor_area_m2": 12.5, "member_count": 3, "extreme_poor": True,
                  "housing.toilet": "none", "region_code": "18.71"}[field]
        for op in Op:
            value = {"in": [sample], "between": [sample, sample], "is_null": True}.get(op.value, sample)
            raw = leaf(field, op.value, value)
            if op.value in ops.split():
                assert parse_criteria(raw).op is op
            else:
                assert errors_of(raw) == [("/criteria/op", "op_not_allowed")]

    def test_education_is_ordered_and_sex_is_not(self):
        assert parse_criteria({"member": leaf("education", "lt", "bachelor")}).condition.op is Op.lt
        assert errors_of({"member": leaf("sex", "lt", "M")}) == [("/criteria/member/op", "op_not_allowed")]


class TestPointers:
    def test_a_bad_value_points_into_the_tree(self):
        raw = {"all": [leaf("welfare_decile", "lte", 1), leaf("welfare_decile", "lte", "1")]}
        assert errors_of(raw) == [("/criteria/all/1/value", "invalid_value")]

    def test_every_problem_is_reported_at_once(self):
        raw = {"any": [
            leaf("colour", "eq", "blue"),
            leaf("extreme_poor", "gt", True),
            leaf("housing.floor", "eq", "marble"),
            leaf("welfare_decile", "in", [1, 11, True]),
            leaf("welfare_decile", "between", [5, 2]),
            leaf("welfare_decile", "is_null", "yes"),
            leaf("welfare_decile", "eq", None),
            leaf("welfare_decile", "near", 1),
            {"field": "welfare_decile", "op": "eq"},
            {"field": "welfare_decile", "op": "eq", "value": 1, "weight": 2},
            {"all": [], "any": []},
            {"member": leaf("welfare_decile", "eq", 1)},
            leaf("age", "gt", 3),
            {"member": {"member": leaf("age", "gt", 3)}},
            {"member": leaf("birth_date", "eq", "2020-02-30")},
            leaf("region_code", "eq", "1871"),
            [],
            {"all": "x"},
        ]}
        assert errors_of(raw) == [
            ("/criteria/any/0/field", "unknown_field"),
            ("/criteria/any/1/op", "op_not_allowed"),
            ("/criteria/any/2/value", "invalid_value"),
            ("/criteria/any/3/value/1", "invalid_value"),
            ("/criteria/any/3/value/2", "invalid_value"),
            ("/criteria/any/4/value", "invalid_range"),
            ("/criteria/any/5/value", "invalid_value"),
            ("/criteria/any/6/value", "invalid_value"),
            ("/criteria/any/7/op", "unknown_op"),
            ("/criteria/any/8/value", "missing"),
            ("/criteria/any/9/weight", "unexpected_key"),
            ("/criteria/any/10/any", "unexpected_key"),
            ("/criteria/any/11/member/field", "unknown_field"),
            ("/criteria/any/12/field", "unknown_field"),
            ("/criteria/any/13/member/member", "member_nested"),
            ("/criteria/any/14/member/value", "invalid_value"),
            ("/criteria/any/15/value", "invalid_value"),
            ("/criteria/any/16", "invalid_node"),
            ("/criteria/any/17/all", "invalid_node"),
        ]

    def test_a_member_field_outside_member_says_how_to_use_it(self):
        with pytest.raises(CriteriaInvalidError) as caught:
            parse_criteria(leaf("age", "gt", 3))
        assert "member" in caught.value.errors[0]["detail"]

    def test_pointer_segments_are_escaped(self):
        assert errors_of({"field": "x", "op": "eq", "value": 1, "a/b~c": 1})[0] == (
            "/criteria/a~1b~0c", "unexpected_key")


class TestLimits:
    def test_depth_is_capped(self):
        raw: dict = leaf("extreme_poor", "eq", True)
        for _ in range(MAX_DEPTH - 1):
            raw = {"not": raw}
        assert isinstance(parse_criteria(raw), Not)
        pointer, code = errors_of({"not": raw})[0]
        assert code == "too_deep" and pointer == "/criteria" + "/not" * MAX_DEPTH

    def test_size_is_capped(self):
        fits = {"any": [leaf("extreme_poor", "eq", True)] * (MAX_NODES - 1)}
        assert len(parse_criteria(fits).children) == MAX_NODES - 1
        assert errors_of({"any": [leaf("extreme_poor", "eq", True)] * MAX_NODES}) == [
            (f"/criteria/any/{MAX_NODES - 1}", "too_many_nodes")]

    def test_a_huge_in_list_is_refused(self):
        assert errors_of(leaf("welfare_decile", "in", [1] * 1001)) == [("/criteria/value", "invalid_value")]


class TestYearsBefore:
    @pytest.mark.parametrize(("day", "years", "expected"), [
        (date(2025, 3, 1), 5, date(2020, 3, 1)),
        (date(2024, 2, 29), 1, date(2023, 2, 28)),
        (date(2024, 2, 29), 4, date(2020, 2, 29)),
    ])
    def test_whole_years_back(self, day, years, expected):
        assert years_before(day, years) == expected
