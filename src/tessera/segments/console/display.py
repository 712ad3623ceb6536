"""How the builder and the segment page show a tree: rows with their choices, and definitions as sentences."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tessera.kit.money import money_format
from tessera.segments.console.forms import ROOT, DraftCondition, DraftGroup
from tessera.segments.rules import DAY_COUNTS, FIELDS, LISTS, NO_VALUE, Kind, Op, op_label

Choices = dict[str, list[tuple[str, str]]]


@dataclass
class RowView:
    path: str
    row: DraftCondition
    ops: list[tuple[str, str]]
    widget: str  # none, one, two, list or words (comma-separated free text)
    input_type: str  # number, date or text
    choices: list[tuple[str, str]] = field(default_factory=list)
    needs_category: bool = False
    unit: str = ""

    is_group = False


@dataclass
class GroupView:
    path: str
    mode: str
    children: list[GroupView | RowView]
    depth: int

    is_group = True

    @property
    def is_root(self) -> bool:
        return self.path == ROOT


def field_options() -> list[tuple[str, list[tuple[str, str]]]]:
    """The fields by section, for the field menu of every row."""
    sections: dict[str, list[tuple[str, str]]] = {}
    for f in FIELDS.values():
        sections.setdefault(str(f.section), []).append((f.code, str(f.label)))
    return list(sections.items())


def group_view(group: DraftGroup, choices: Choices, currency: str, path: str = ROOT, depth: int = 1) -> GroupView:
    children: list[GroupView | RowView] = []
    for index, child in enumerate(group.children):
        here = f"{path}-{index}"
        if isinstance(child, DraftGroup):
            children.append(group_view(child, choices, currency, here, depth + 1))
        else:
            children.append(row_view(child, choices, currency, here))
    return GroupView(path, group.mode, children, depth)


def row_view(row: DraftCondition, choices: Choices, currency: str, path: str) -> RowView:
    definition_field = FIELDS.get(row.field) or FIELDS["purchase_count"]
    row.field = definition_field.code
    if row.op not in {o.value for o in definition_field.ops}:
        row.op = definition_field.ops[0].value  # a new field keeps no operator it does not have
    op = Op(row.op)
    kind = definition_field.value_kind
    widget = "none" if op in NO_VALUE else "two" if op is Op.BETWEEN else "one"
    options: list[tuple[str, str]] = []
    if op in LISTS:
        if definition_field.dynamic:
            options = choices.get(definition_field.code, [])
        elif definition_field.choices is not None:
            options = [(v, str(label)) for v, label in definition_field.choices()]
        widget = "list" if options or definition_field.dynamic else "words"
    input_type = "number" if op in DAY_COUNTS or kind in (Kind.NUMBER,) else "date" if kind is Kind.DATE else "text"
    return RowView(
        path=path, row=row, ops=[(o.value, op_label(o)) for o in definition_field.ops], widget=widget,
        input_type=input_type, choices=options, needs_category=definition_field.kind is Kind.CATEGORY,
        unit=_("days") if op in DAY_COUNTS else currency if kind is Kind.MONEY else "",
    )  # fmt: skip


def describe(definition: dict[str, Any], currency: str, choices: Choices) -> dict[str, Any]:
    """A saved definition as nested sentences: ``{"mode": ..., "items": [str | dict]}``."""
    ((mode, items),) = definition.items()
    lines: list[str | dict[str, Any]] = []
    for item in items:
        lines.append(_sentence(item, currency, choices) if "field" in item else describe(item, currency, choices))
    return {"mode": mode, "items": lines}


def _sentence(item: dict[str, Any], currency: str, choices: Choices) -> str:
    definition_field = FIELDS[item["field"]]
    op = Op(item["op"])
    subject = str(definition_field.label)
    if item.get("category"):
        subject = _("%(field)s (%(category)s)") % {"field": subject, "category": item["category"]}
    value: Any = item.get("value")
    names = dict(choices.get(definition_field.code, []))
    if definition_field.choices is not None:
        names |= {v: str(label) for v, label in definition_field.choices()}

    def shown(v: Any) -> str:
        if definition_field.value_kind is Kind.MONEY and op not in DAY_COUNTS and isinstance(v, int):
            return money_format(v, currency, get_language() or "en")
        return names.get(str(v), str(v)) or _("not given")

    if op in NO_VALUE:
        text = ""
    elif op is Op.BETWEEN:
        text = _("%(low)s and %(high)s") % {"low": shown(value[0]), "high": shown(value[1])}
    elif op in LISTS:
        text = ", ".join(shown(v) for v in value)
    else:
        text = shown(value)
    return " ".join(part for part in (subject, op_label(op), text) if part)
