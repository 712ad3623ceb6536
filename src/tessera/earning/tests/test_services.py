"""Configuring rules through the services and the admin: bad settings are refused with coded, translated messages."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tessera.audit.models import AuditRecord
from tessera.earning.errors import EarningRuleInvalid, MultiplierNotPositive
from tessera.earning.models import EarningRule
from tessera.earning.rules import MatchOn, Rule, RuleKind
from tessera.earning.services import earning_rule_create, earning_rule_end
from tessera.earning.tests.factories import capped, excluded, head_office, rule_add, weekday
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.testing import world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return world_build()


class TestEarningRuleCreate:
    def test_saves_the_rule_and_audits_it(self, world):
        row = rule_add(world, weekday("double-wednesday", 3, 2000))
        assert (row.kind, row.factor_permille, row.weekday, row.cap_points) == ("weekday", 2000, 3, None)
        record = AuditRecord.objects.get(action="earning.rule_create")
        assert record.details == {"code": "double-wednesday", "kind": "weekday", "factor_permille": 2000, "weekday": 3}

    @pytest.mark.parametrize("factor", [0, -1000])
    def test_a_multiplier_of_zero_or_below_is_refused(self, world, factor):
        with pytest.raises(MultiplierNotPositive) as exc:
            rule_add(world, weekday("broken", 3, factor))
        assert exc.value.code == "earning_multiplier_not_positive"
        assert exc.value.text().startswith("A multiplier must be above zero, in per mille: 1000 earns the normal")
        with translation.override("zh-hans"):
            assert "倍数" in exc.value.text()
        with translation.override("ko"):
            assert "배수" in exc.value.text()
        assert not EarningRule.objects.exists()

    @pytest.mark.parametrize(
        ("rule", "reason"),
        [
            (Rule("no-day", RuleKind.WEEKDAY, factor_permille=2000), "fill in exactly the fields"),
            (Rule("stray", RuleKind.SALE_CAP, cap_points=100, weekday=3), "fill in exactly the fields"),
            (capped("zero-cap", RuleKind.DAY_CAP, 0), "a cap must be above zero points"),
            (weekday("backwards", 3, 2000, active_from=date(2026, 5, 1), active_to=date(2026, 5, 1)), "end date"),
            (Rule("bad code!", RuleKind.DAY_CAP, cap_points=100), "slug"),
            (Rule("eighth", RuleKind.MEMBER_DAY, factor_permille=2000, day_of_month=32), "less than or equal to 31"),
        ],
    )
    def test_other_bad_settings_are_refused(self, world, rule, reason):
        with pytest.raises(EarningRuleInvalid) as exc:
            rule_add(world, rule)
        assert exc.value.code == "earning_rule_invalid"
        assert reason in exc.value.text()

    def test_a_code_is_used_once_per_programme(self, world):
        rule_add(world, excluded("no-gift-cards", MatchOn.CATEGORY, "gift_card"))
        with pytest.raises(EarningRuleInvalid):
            rule_add(world, excluded("no-gift-cards", MatchOn.SKU, "GC-100"))
        rule_add(world_build(name="Other"), excluded("no-gift-cards", MatchOn.CATEGORY, "gift_card"))

    def test_another_merchants_staff_cannot_configure_the_programme(self, world):
        other = world_build(name="Other")
        with pytest.raises(DomainError) as exc:
            earning_rule_create(program=world.program, rule=weekday("x", 3, 2000), actor=head_office(other), now=now())
        assert exc.value.code == "program_not_found"

    def test_the_database_refuses_what_slips_past_the_service(self, world):
        with pytest.raises(IntegrityError), transaction.atomic():
            EarningRule.objects.create(program=world.program, code="raw", kind="weekday", factor_permille=0, weekday=3)
        with pytest.raises(IntegrityError), transaction.atomic():
            EarningRule.objects.create(program=world.program, code="raw", kind="weekday", factor_permille=2000)


class TestEarningRuleEnd:
    def test_ends_the_rule_from_a_date_and_audits_it(self, world):
        row = rule_add(world, weekday("double-wednesday", 3, 2000, active_from=date(2026, 1, 1)))
        earning_rule_end(rule=row, active_to=date(2026, 7, 1), actor=head_office(world), now=now())
        assert EarningRule.objects.get(pk=row.pk).active_to == date(2026, 7, 1)
        assert AuditRecord.objects.filter(action="earning.rule_end").count() == 1

    def test_refuses_an_end_on_or_before_the_start(self, world):
        row = rule_add(world, weekday("double-wednesday", 3, 2000, active_from=date(2026, 1, 1)))
        with pytest.raises(EarningRuleInvalid):
            earning_rule_end(rule=row, active_to=date(2026, 1, 1), actor=head_office(world), now=now())
        assert EarningRule.objects.get(pk=row.pk).active_to is None


class TestAdmin:
    @pytest.fixture
    def client(self, db):
        user = get_user_model().objects.create_superuser(username="root", password="root password 123", email="")
        client = Client()
        client.force_login(user)
        return client

    def form(self, world, **fields):
        return {"program": world.program.pk, "code": "double-wednesday", "kind": "weekday", "weekday": "3",
                "factor_permille": "2000", **fields}  # fmt: skip

    def test_clean_puts_the_multiplier_message_on_its_field(self, world):
        with pytest.raises(ValidationError) as exc:
            EarningRule(program=world.program, code="x", kind="weekday", weekday=3, factor_permille=0).full_clean()
        assert "A multiplier must be above zero" in exc.value.message_dict["factor_permille"][0]

    def test_admin_refuses_a_zero_multiplier_in_the_users_language(self, world, client):
        url = reverse("admin:earning_earningrule_add")
        response = client.post(url, self.form(world, factor_permille="0"), HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200
        assert "倍数" in response.content.decode()
        assert not EarningRule.objects.exists()

    def test_admin_adds_and_lists_rules(self, world, client):
        response = client.post(reverse("admin:earning_earningrule_add"), self.form(world))
        assert response.status_code == 302, response.content.decode()[:2000]
        listing = client.get(reverse("admin:earning_earningrule_changelist"))
        assert listing.status_code == 200
        assert "double-wednesday" in listing.content.decode()
