"""The value statement in words, in the member's language: a subject, an SMS-length text and a longer body.

Every sentence is one whole msgid with named placeholders (never fragments glued together), rendered under
``translation.override(statement.language)``; money is formatted for the programme's currency (KRW has no
minor unit, CNY two) and dates in the language's own date format. Names of tiers and gifts come translated from
the programme's configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.utils import formats, translation
from django.utils.translation import gettext, gettext_noop

from tessera.kit.money import money_format

if TYPE_CHECKING:
    from tessera.analytics.statements import ValueStatement

# Every sentence, whole, as the catalogue holds it; gettext_noop so that makemessages finds them here.
WHAT_YOUR_MEMBERSHIP_IS = gettext_noop("%(programme)s: what your membership is worth")
HAPPY_SHOPPING = gettext_noop("Happy shopping!")
YOU_SPEND_A_WEEK = gettext_noop("You spend %(weekly)s a week on average.")
BY_POINTS_WORTH = gettext_noop("By %(date)s: %(points)s points, worth %(value)s.")
SPEND_A_WEEK_FOR = gettext_noop("Spend %(weekly)s a week for %(reward)s.")
SAVED_THIS_YEAR = gettext_noop("Saved this year: %(amount)s.")
DEAR_THANK_YOU_FOR = gettext_noop("Dear %(name)s, thank you for being a member.")
YOU_HAVE_POINTS_WORTH = gettext_noop("You have %(points)s points, worth %(value)s.")
AT_THIS_PACE_YOU = gettext_noop("At this pace you will have %(points)s points on %(date)s, worth %(value)s.")
OF_YOUR_POINTS_EXPIRE = gettext_noop("%(points)s of your points expire by %(date)s: use them in time.")
YOU_MADE_NO_PURCHASE = gettext_noop("You made no purchase from %(start)s to %(end)s.")
FROM_TO_YOU_SPENT = gettext_noop("From %(start)s to %(end)s you spent %(weekly)s a week on average.")
SPEND_A_WEEK_AND = gettext_noop("Spend %(weekly)s a week and you will reach %(reward)s by %(date)s.")
SPEND_A_WEEK_AND_2 = gettext_noop("Spend %(weekly)s a week and you will unlock %(reward)s every month.")
AT_THAT_PACE_YOU = gettext_noop("At that pace you will have %(points)s points on %(date)s, worth %(value)s.")
THIS_YEAR_YOUR_MEMBERSHIP = gettext_noop("This year your membership saved you %(amount)s:")
TIER_DISCOUNTS = gettext_noop("Tier discounts: %(amount)s")
COUPONS = gettext_noop("Coupons: %(amount)s")
STORED_VALUE_BONUS_SPENT = gettext_noop("Stored value bonus spent: %(amount)s")
POINTS_REDEEMED = gettext_noop("Points redeemed: %(amount)s")
MSGIDS = (
    WHAT_YOUR_MEMBERSHIP_IS,
    HAPPY_SHOPPING,
    YOU_SPEND_A_WEEK,
    BY_POINTS_WORTH,
    SPEND_A_WEEK_FOR,
    SAVED_THIS_YEAR,
    DEAR_THANK_YOU_FOR,
    YOU_HAVE_POINTS_WORTH,
    AT_THIS_PACE_YOU,
    OF_YOUR_POINTS_EXPIRE,
    YOU_MADE_NO_PURCHASE,
    FROM_TO_YOU_SPENT,
    SPEND_A_WEEK_AND,
    SPEND_A_WEEK_AND_2,
    AT_THAT_PACE_YOU,
    THIS_YEAR_YOUR_MEMBERSHIP,
    TIER_DISCOUNTS,
    COUPONS,
    STORED_VALUE_BONUS_SPENT,
    POINTS_REDEEMED,
)


@dataclass(frozen=True, slots=True)
class StatementMessage:
    """Message content for the engagement capability; nothing sends it yet (docs/value-statements.md)."""

    language: str
    subject: str
    sms: str
    body: str


def statement_render(statement: ValueStatement) -> StatementMessage:
    """The statement's texts in ``statement.language``."""
    with translation.override(statement.language):
        return StatementMessage(
            language=statement.language,
            subject=gettext(WHAT_YOUR_MEMBERSHIP_IS) % {"programme": statement.program_name},
            sms=_joined(statement.language, _sms(statement)),
            body="\n\n".join([*_paragraphs(statement), _savings_block(statement), gettext(HAPPY_SHOPPING)]),
        )


def _joined(language: str, sentences: list[str]) -> str:
    # Chinese runs sentences together after their full stops; English and Korean put a space between them.
    return ("" if language.startswith("zh") else " ").join(sentences)


def _money(statement: ValueStatement, amount_minor: int) -> str:
    return money_format(amount_minor, statement.currency, statement.language)


def _day(day: date) -> str:
    return str(formats.date_format(day, "DATE_FORMAT"))


def _points(points: int) -> str:
    return f"{points:,}"


def _sms(s: ValueStatement) -> list[str]:
    # A member who has not bought yet is not told they spend nothing: the projection and target say enough.
    sentences = [gettext(YOU_SPEND_A_WEEK) % {"weekly": _money(s, s.weekly_spend_minor)}] if s.sales_count else []
    sentences.append(
        gettext(BY_POINTS_WORTH)
        % {
            "date": _day(s.year_end),
            "points": _points(s.points_at_year_end),
            "value": _money(s, s.points_at_year_end_minor),
        }
    )
    if s.target is not None:
        sentences.append(
            gettext(SPEND_A_WEEK_FOR) % {"weekly": _money(s, s.target.weekly_minor), "reward": s.target.name}
        )
    sentences.append(gettext(SAVED_THIS_YEAR) % {"amount": _money(s, s.savings.total_minor)})
    return sentences


def _paragraphs(s: ValueStatement) -> list[str]:
    first = [gettext(DEAR_THANK_YOU_FOR) % {"name": s.member_name}, _pace(s)]
    second = [
        gettext(YOU_HAVE_POINTS_WORTH)
        % {"points": _points(s.points_balance), "value": _money(s, s.points_balance_minor)},
        gettext(AT_THIS_PACE_YOU)
        % {
            "points": _points(s.points_at_year_end),
            "date": _day(s.year_end),
            "value": _money(s, s.points_at_year_end_minor),
        },
    ]
    if s.points_expiring:
        second.append(gettext(OF_YOUR_POINTS_EXPIRE) % {"points": _points(s.points_expiring), "date": _day(s.year_end)})
    paragraphs = [_joined(s.language, first), _joined(s.language, second)]
    if (target := _target(s)) is not None:
        paragraphs.append(target)
    return paragraphs


def _pace(s: ValueStatement) -> str:
    dates = {"start": _day(s.period.start), "end": _day(s.period.last_day)}
    if not s.sales_count:
        return gettext(YOU_MADE_NO_PURCHASE) % dates
    return gettext(FROM_TO_YOU_SPENT) % {
        **dates,
        "weekly": _money(s, s.weekly_spend_minor),
    }


def _target(s: ValueStatement) -> str | None:
    target = s.target
    if target is None or s.target_points_at_year_end is None or s.target_points_at_year_end_minor is None:
        return None
    figures = {"weekly": _money(s, target.weekly_minor), "reward": target.name, "date": _day(target.by)}
    first = gettext(SPEND_A_WEEK_AND) % figures if target.kind == "tier" else gettext(SPEND_A_WEEK_AND_2) % figures
    second = gettext(AT_THAT_PACE_YOU) % {
        "points": _points(s.target_points_at_year_end),
        "date": _day(s.year_end),
        "value": _money(s, s.target_points_at_year_end_minor),
    }
    return _joined(s.language, [first, second])


def _savings_block(s: ValueStatement) -> str:
    saved = s.savings
    rows = [
        gettext(THIS_YEAR_YOUR_MEMBERSHIP) % {"amount": _money(s, saved.total_minor)},
        gettext(TIER_DISCOUNTS) % {"amount": _money(s, saved.tier_discount_minor)},
        gettext(COUPONS) % {"amount": _money(s, saved.coupons_minor)},
        gettext(STORED_VALUE_BONUS_SPENT) % {"amount": _money(s, saved.stored_value_bonus_minor)},
        gettext(POINTS_REDEEMED) % {"amount": _money(s, saved.points_redeemed_minor)},
    ]
    return "\n".join(rows[:1] + [f"- {row}" for row in rows[1:]])
