"""The definition tree, its validation and the date rules, without a database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tessera.segments.errors import DefinitionInvalid
from tessera.segments.rules import FIELDS, Condition, Group, Kind, Op, definition_dump, definition_parse
from tessera.segments.rules.dates import (
    age_birthday_range,
    age_on,
    birthday_matches,
    birthday_spans,
    date_range,
    in_range,
)
from tessera.segments.rules.evaluate import condition_holds, definition_holds

KIDS_3 = {"field": "category.purchase_count", "category": "kids", "op": "gte", "value": 3}
BIRTHDAY_MONTH = {"field": "birthday", "op": "this_month"}


def problems_of(definition, **kw) -> list[str]:
    with pytest.raises(DefinitionInvalid) as exc:
        definition_parse(definition, **kw)
    assert exc.value.code == "segment_definition_invalid"
    return exc.value.problems


class TestParse:
    def test_reads_nested_groups_and_dumps_them_back_unchanged(self):
        definition = {
            "all": [
                KIDS_3,
                {
                    "any": [
                        BIRTHDAY_MONTH,
                        {"field": "gender", "op": "in", "value": ["female"]},
                        {"all": [{"field": "age", "op": "between", "value": [20, 35]}]},
                    ]
                },
            ]
        }
        tree = definition_parse(definition)
        assert tree.mode == "all"
        assert tree.children[0] == Condition("category.purchase_count", Op.GTE, 3, "kids")
        assert isinstance(tree.children[1], Group)
        assert tree.children[1].mode == "any"
        assert definition_dump(tree) == definition
        assert len(tree.conditions()) == 4

    def test_dates_are_read_as_dates_and_dumped_as_iso(self):
        tree = definition_parse(
            {"all": [{"field": "enrolled_at", "op": "between", "value": ["2026-01-01", "2026-01-31"]}]}
        )
        assert tree.children[0].value == (date(2026, 1, 1), date(2026, 1, 31))
        assert definition_dump(tree)["all"][0]["value"] == ["2026-01-01", "2026-01-31"]

    def test_the_empty_root_is_everyone_but_an_empty_inner_group_is_refused(self):
        assert definition_parse({"all": []}) == Group("all")
        assert problems_of({"all": [{"any": []}]}) == ["group 1 of the definition: the group is empty."]

    @pytest.mark.parametrize(
        ("definition", "problem"),
        [
            ([], 'the definition: a group is {"all": [...]} or {"any": [...]}.'),
            ({"all": [], "any": []}, 'the definition: a group is {"all": [...]} or {"any": [...]}.'),
            ({"both": []}, 'the definition: a group is {"all": [...]} or {"any": [...]}.'),
            ({"all": {}}, "the definition: the group's conditions must be a list."),
            ({"all": [{"field": "shoe_size", "op": "eq", "value": 1}]},
             "condition 1 of the definition: there is no field shoe_size."),
            ({"all": [{"field": "gender", "op": "gte", "value": 1}]},
             "condition 1 of the definition (Gender): the operator gte does not apply to this field."),
            ({"all": [{"field": "purchase_count", "op": "gte", "value": "3"}]},
             "condition 1 of the definition (Number of purchases): the value must be a whole number."),
            ({"all": [{"field": "purchase_count", "op": "gte", "value": True}]},
             "condition 1 of the definition (Number of purchases): the value must be a whole number."),
            ({"all": [{"field": "purchase_count", "op": "gte", "value": -1}]},
             "condition 1 of the definition (Number of purchases): the value must be a whole number."),
            ({"all": [{"field": "age", "op": "gte", "value": 200}]},
             "condition 1 of the definition (Age): the value must be a whole number from 0 to 150."),
            ({"all": [{"field": "purchase_count", "op": "between", "value": [5, 1]}]},
             "condition 1 of the definition (Number of purchases): the value must be two values, the lower first."),
            ({"all": [{"field": "last_purchase_at", "op": "before", "value": "2026-02-30"}]},
             "condition 1 of the definition (Last purchase): the value must be a date as YYYY-MM-DD."),
            ({"all": [{"field": "last_purchase_at", "op": "in_last_days", "value": 0}]},
             "condition 1 of the definition (Last purchase): the value must be a number of days from 1 to 3660."),
            ({"all": [{"field": "gender", "op": "in", "value": []}]},
             "condition 1 of the definition (Gender): the value must be a list of 1 to 200 choices."),
            ({"all": [{"field": "gender", "op": "in", "value": ["robot"]}]},
             "condition 1 of the definition (Gender): 'robot' is not one of the choices."),
            ({"all": [{"field": "category.purchase_count", "op": "gte", "value": 3}]},
             "condition 1 of the definition (Purchases in a category): name the category (1 to 100 characters)."),
            ({"all": [{"field": "purchase_count", "category": "kids", "op": "gte", "value": 3}]},
             "condition 1 of the definition (Number of purchases): only category fields name a category."),
            ({"all": [{"field": "purchase_count", "op": "gte", "value": 3, "why": "x"}]},
             "condition 1 of the definition: unknown keys why."),
            ({"all": ["purchase_count"]},
             "condition 1 of the definition: a condition has a field, an operator and a value."),
            ({"all": [{"any": [{"field": "region", "op": "contains", "value": ""}]}]},
             "condition 1 of group 1 of the definition (Region): the value must be text of 1 to 100 characters."),
        ],
    )  # fmt: skip
    def test_refuses_a_bad_part_and_names_where_it_is(self, definition, problem):
        assert problems_of(definition) == [problem]

    def test_lists_every_problem_at_once(self):
        definition = {"all": [{"field": "nope", "op": "eq", "value": 1}, {"any": [{"field": "age", "op": "x"}]}]}
        assert problems_of(definition) == [
            "condition 1 of the definition: there is no field nope.",
            "condition 1 of group 2 of the definition (Age): the operator x does not apply to this field.",
        ]

    def test_refuses_groups_nested_too_deep_and_too_many_conditions(self):
        deep = {"all": [{"any": [{"all": [{"any": [{"all": [KIDS_3]}]}]}]}]}
        assert "nest 4 deep at most" in problems_of(deep)[0]
        assert problems_of({"all": [KIDS_3] * 51}) == ["The definition has more than 50 conditions."]

    def test_programme_choices_are_checked_when_given(self):
        tier = {"all": [{"field": "tier", "op": "in", "value": ["gold"]}]}
        assert definition_parse(tier).children[0].value == ("gold",)
        assert problems_of(tier, choices={"tier": ["card", "red"]}) == [
            "condition 1 of the definition (Tier): 'gold' is not one of the choices."
        ]

    def test_every_field_has_a_label_a_kind_and_operators(self):
        for field in FIELDS.values():
            assert str(field.label)
            assert field.ops
            assert field.kind in Kind
            assert field.kind is not Kind.CATEGORY or field.value_kind is not Kind.CATEGORY


class TestDates:
    TODAY = date(2026, 3, 10)

    def test_in_the_last_n_days_is_today_and_the_days_before(self):
        assert date_range(Op.IN_LAST_DAYS, 1, self.TODAY) == (self.TODAY, date(2026, 3, 11))
        assert date_range(Op.IN_LAST_DAYS, 30, self.TODAY) == (date(2026, 2, 9), date(2026, 3, 11))
        assert date_range(Op.NOT_IN_LAST_DAYS, 30, self.TODAY) == (None, date(2026, 2, 9))

    def test_absolute_dates_include_their_ends(self):
        assert date_range(Op.ON, self.TODAY, self.TODAY) == (self.TODAY, date(2026, 3, 11))
        assert date_range(Op.BEFORE, self.TODAY, self.TODAY) == (None, self.TODAY)
        assert date_range(Op.AFTER, self.TODAY, self.TODAY) == (date(2026, 3, 11), None)
        window = date_range(Op.BETWEEN, (date(2026, 3, 1), date(2026, 3, 31)), self.TODAY)
        assert in_range(date(2026, 3, 31), window)
        assert not in_range(date(2026, 4, 1), window)
        assert not in_range(None, (None, None))

    def test_birthdays_in_the_next_days_cross_the_year_end(self):
        spans = birthday_spans(Op.IN_NEXT_DAYS, 10, date(2026, 12, 28))
        assert spans == [(12, 28, 31), (1, 1, 6)]

    def test_a_29_february_birthday_is_kept_on_the_28th_in_a_common_year(self):
        leapling = date(2000, 2, 29)
        assert birthday_matches(leapling, Op.IN_NEXT_DAYS, 1, date(2027, 2, 28))
        assert not birthday_matches(leapling, Op.IN_NEXT_DAYS, 1, date(2027, 3, 1))
        assert not birthday_matches(leapling, Op.IN_NEXT_DAYS, 1, date(2028, 2, 28))
        assert birthday_matches(leapling, Op.IN_NEXT_DAYS, 1, date(2028, 2, 29))
        assert birthday_matches(leapling, Op.THIS_MONTH, None, date(2027, 2, 1))

    def test_a_window_of_nearly_a_year_leaves_out_the_days_after_it(self):
        today = date(2026, 12, 15)
        assert birthday_matches(date(1990, 12, 9), Op.IN_NEXT_DAYS, 360, today)
        assert not birthday_matches(date(1990, 12, 12), Op.IN_NEXT_DAYS, 360, today)
        assert len(birthday_spans(Op.IN_NEXT_DAYS, 3660, today)) <= 13

    @pytest.mark.parametrize("today", [date(2026, 3, 10), date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 1),
                                       date(2026, 1, 1), date(2026, 12, 31)])  # fmt: skip
    def test_age_ranges_agree_with_the_age_of_every_birth_date(self, today):
        births = [date(1995, 1, 1) + timedelta(days=d) for d in range(0, 365 * 12, 3)] + [date(2000, 2, 29)]
        for op in (Op.EQ, Op.NE, Op.GT, Op.GTE, Op.LT, Op.LTE):
            for age in (0, 17, 18, 25, 30):
                window = age_birthday_range(op, age, today)
                for born in births:
                    inside = in_range(born, window)
                    expected = {Op.EQ: age_on(born, today) == age, Op.NE: age_on(born, today) == age,
                                Op.GT: age_on(born, today) > age, Op.GTE: age_on(born, today) >= age,
                                Op.LT: age_on(born, today) < age, Op.LTE: age_on(born, today) <= age}[op]  # fmt: skip
                    assert inside == expected, (op, age, born)

    def test_ages_change_on_the_birthday(self):
        assert age_on(date(2000, 3, 10), date(2026, 3, 9)) == 25
        assert age_on(date(2000, 3, 10), date(2026, 3, 10)) == 26
        assert age_on(date(2000, 2, 29), date(2025, 2, 28)) == 24
        assert age_on(date(2000, 2, 29), date(2025, 3, 1)) == 25


class TestEvaluate:
    TODAY = date(2026, 3, 10)

    def holds(self, condition: dict, facts: dict) -> bool:
        return definition_holds(definition_parse({"all": [condition]}), facts, self.TODAY)

    def test_bought_kids_wear_three_times(self):
        assert self.holds(KIDS_3, {"category.purchase_count": {"kids": 3}})
        assert not self.holds(KIDS_3, {"category.purchase_count": {"kids": 2, "tops": 9}})
        assert not self.holds(KIDS_3, {})

    def test_a_category_never_bought_counts_zero(self):
        fewer = {"field": "category.purchase_count", "category": "kids", "op": "lt", "value": 3}
        assert self.holds(fewer, {})

    def test_unknown_facts_satisfy_no_comparison(self):
        for op in ("gt", "lt", "eq", "ne"):
            assert not self.holds({"field": "age", "op": op, "value": 30}, {"birthday": None})
        assert self.holds({"field": "birthday", "op": "is_empty"}, {"birthday": None})
        assert self.holds({"field": "last_purchase_at", "op": "is_empty"}, {})

    def test_none_of_includes_members_without_the_fact(self):
        assert self.holds({"field": "rfm_r", "op": "not_in", "value": ["1"]}, {})
        assert not self.holds({"field": "rfm_r", "op": "in", "value": ["1"]}, {})
        assert self.holds({"field": "income_band", "op": "in", "value": [""]}, {"income_band": None})

    def test_text_is_compared_without_case(self):
        assert self.holds({"field": "region", "op": "eq", "value": "pudong"}, {"region": "Pudong"})
        assert self.holds({"field": "preferences", "op": "has_any", "value": ["SPORT"]}, {"preferences": ["sport"]})
        assert self.holds({"field": "preferences", "op": "has_none", "value": ["kids"]}, {"preferences": []})

    def test_tags_any_all_none(self):
        facts = {"tags": {"vip", "wholesale"}}
        assert self.holds({"field": "tags", "op": "has_all", "value": ["vip", "wholesale"]}, facts)
        assert not self.holds({"field": "tags", "op": "has_all", "value": ["vip", "staff"]}, facts)
        assert self.holds({"field": "tags", "op": "has_none", "value": ["staff"]}, facts)

    def test_any_and_all(self):
        yes, no = Condition("status", Op.IN, ("active",)), Condition("status", Op.IN, ("closed",))
        facts = {"status": "active"}
        assert definition_holds(Group("any", (no, yes)), facts, self.TODAY)
        assert not definition_holds(Group("all", (no, yes)), facts, self.TODAY)
        assert definition_holds(Group("all"), facts, self.TODAY)
        assert condition_holds(yes, facts, self.TODAY)
