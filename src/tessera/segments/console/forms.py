"""The builder's form: a tree of groups and condition rows as flat form fields, and back.

Each group is ``g.<path>`` (its mode, all or any) and each condition ``c.<path>.<part>`` (field, op, category,
value, value2, values), where a path is ``r`` for the root and ``r-0-2`` for the third child of the root's first
child. Parsing keeps what was typed as text, so a refused value is shown again as the user typed it; only
``definition_from_draft`` turns it into the definition's JSON (money from major units), leaving anything it
cannot read as typed for ``definition_parse`` to refuse with its place in the tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from tessera.kit.money import currency_exponent, money_parse_major
from tessera.segments.models import TagColour
from tessera.segments.rules import DAY_COUNTS, FIELDS, LISTS, NO_VALUE, Kind, Op
from tessera.segments.services import SegmentInput

ROOT = "r"
DEFAULT_FIELD, DEFAULT_OP = "purchase_count", Op.GTE


@dataclass
class DraftCondition:
    field: str = DEFAULT_FIELD
    op: str = DEFAULT_OP.value
    category: str = ""
    value: str = ""
    value2: str = ""
    values: list[str] = dataclass_field(default_factory=list)


@dataclass
class DraftGroup:
    mode: str = "all"
    children: list[DraftGroup | DraftCondition] = dataclass_field(default_factory=list)


def draft_from_post(data: QueryDict) -> DraftGroup:
    groups: dict[str, DraftGroup] = {ROOT: DraftGroup()}
    conditions: dict[str, DraftCondition] = {}
    for key in data:
        kind, _dot, rest = key.partition(".")
        if kind == "g" and _path_ok(rest):
            groups.setdefault(rest, DraftGroup()).mode = "any" if data.get(key) == "any" else "all"
        elif kind == "c":
            path, _dot, part = rest.partition(".")
            if _path_ok(path) and path != ROOT and part in ("field", "op", "category", "value", "value2", "values"):
                row = conditions.setdefault(path, DraftCondition())
                setattr(row, part, data.getlist(key) if part == "values" else data.get(key, "").strip())
    nodes: dict[str, DraftGroup | DraftCondition] = {**conditions, **groups}
    for path in sorted((p for p in nodes if p != ROOT), key=_order):
        parent = groups.get(path.rsplit("-", 1)[0])
        if parent is not None:
            parent.children.append(nodes[path])
    return groups[ROOT]


def _path_ok(path: str) -> bool:
    parts = path.split("-")
    return parts[0] == ROOT and len(parts) <= 6 and all(p.isdigit() and len(p) <= 3 for p in parts[1:])


def _order(path: str) -> tuple[int, ...]:
    return tuple(int(p) for p in path.split("-")[1:])


def draft_from_definition(definition: dict[str, Any], currency: str) -> DraftGroup:
    """A saved definition as the builder shows it (money in major units)."""
    ((mode, items),) = definition.items()
    children: list[DraftGroup | DraftCondition] = []
    for item in items:
        children.append(_draft_condition(item, currency) if "field" in item else draft_from_definition(item, currency))
    return DraftGroup(mode, children)


def _draft_condition(item: dict[str, Any], currency: str) -> DraftCondition:
    row = DraftCondition(field=item["field"], op=item["op"], category=item.get("category", ""))
    value = item.get("value")
    money = FIELDS[row.field].value_kind is Kind.MONEY
    shown = (lambda v: _major(v, currency)) if money else str
    if isinstance(value, list) and Op(row.op) is Op.BETWEEN:
        row.value, row.value2 = shown(value[0]), shown(value[1])
    elif isinstance(value, list):
        row.values = [str(v) for v in value]
        row.value = ", ".join(row.values)
    elif value is not None:
        row.value = shown(value)
    return row


def _major(minor: int, currency: str) -> str:
    exponent = currency_exponent(currency)
    return f"{minor / 10**exponent:.{exponent}f}" if exponent else str(minor)


def definition_from_draft(draft: DraftGroup, currency: str) -> dict[str, Any]:
    return {draft.mode: [definition_from_draft(c, currency) if isinstance(c, DraftGroup) else _condition(c, currency)
                         for c in draft.children]}  # fmt: skip


def _condition(row: DraftCondition, currency: str) -> dict[str, Any]:
    body: dict[str, Any] = {"field": row.field, "op": row.op}
    definition_field = FIELDS.get(row.field)
    op = Op(row.op) if row.op in {o.value for o in Op} else None
    if definition_field is None or op is None:
        return body
    if definition_field.kind is Kind.CATEGORY:
        body["category"] = row.category
    if op in NO_VALUE:
        return body
    kind = definition_field.value_kind
    if op in DAY_COUNTS:
        body["value"] = _number(row.value, Kind.NUMBER, currency)
    elif op is Op.BETWEEN:
        body["value"] = [_number(row.value, kind, currency), _number(row.value2, kind, currency)]
    elif op in LISTS:
        free = definition_field.choices is None and not definition_field.dynamic
        body["value"] = [v.strip() for v in row.value.split(",") if v.strip()] if free else list(row.values)
    else:
        body["value"] = _number(row.value, kind, currency)
    return body


def _number(text: str, kind: Kind, currency: str) -> object:
    if kind in (Kind.DATE, Kind.TEXT):
        return text
    try:
        return money_parse_major(text, currency) if kind is Kind.MONEY else int(text)
    except (ValueError, ArithmeticError):
        return text  # as typed: the definition's check names the condition and what it wants


def draft_apply(draft: DraftGroup, action: str) -> DraftGroup:
    """``add-condition:<path>``, ``add-group:<path>`` or ``remove:<path>``; anything else changes nothing."""
    verb, _colon, path = action.partition(":")
    if not _path_ok(path):
        return draft
    if verb == "remove" and path != ROOT:
        parent, index = _node(draft, path.rsplit("-", 1)[0]), int(path.rsplit("-", 1)[1])
        if isinstance(parent, DraftGroup) and index < len(parent.children):
            del parent.children[index]
        return draft
    target = _node(draft, path)
    if isinstance(target, DraftGroup) and verb in ("add-condition", "add-group"):
        new = DraftCondition() if verb == "add-condition" else DraftGroup("any", [DraftCondition()])
        target.children.append(new)
    return draft


def _node(draft: DraftGroup, path: str) -> DraftGroup | DraftCondition | None:
    node: DraftGroup | DraftCondition = draft
    for part in path.split("-")[1:]:
        if not isinstance(node, DraftGroup) or int(part) >= len(node.children):
            return None
        node = node.children[int(part)]
    return node


class SegmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=500, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    is_smart_tag = forms.BooleanField(label=_("Show as a tag on its members (smart tag)"), required=False)
    tag_label = forms.CharField(label=_("Tag label"), max_length=40, required=False)
    tag_colour = forms.ChoiceField(label=_("Tag colour"), choices=TagColour.choices, initial=TagColour.GREY)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("is_smart_tag") and not data.get("tag_label", "").strip():
            self.add_error("tag_label", _("A smart tag needs a label."))
        return data

    def segment_input(self, definition: dict[str, Any]) -> SegmentInput:
        data = self.cleaned_data
        return SegmentInput(name=data["name"], description=data["description"], definition=definition,
                            is_smart_tag=data["is_smart_tag"], tag_label=data["tag_label"],
                            tag_colour=data["tag_colour"])  # fmt: skip
