"""docs/permissions.md shows the matrix the code enforces: every action, every role, every cell."""

from __future__ import annotations

import re
from pathlib import Path

from tessera.access.rules import PERMISSIONS, TERMINAL_ACTIONS, Action, Role

DOC = Path(__file__).resolve().parents[4] / "docs" / "permissions.md"
TERMINAL = "terminal"
CODE = re.compile(r"`([a-z_.]+)`")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def doc_matrix() -> dict[str, dict[str, bool]]:
    """{column code: {action code: granted}} from the table under "## Roles and actions"."""
    section = DOC.read_text(encoding="utf-8").split("## Roles and actions", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    header, body = _cells(rows[0]), rows[2:]
    columns = [found.group(1) for cell in header[2:] if (found := CODE.search(cell))]
    assert len(columns) == len(header) - 2, f"every role column names its code in backticks: {header}"
    matrix: dict[str, dict[str, bool]] = {column: {} for column in columns}
    for line in body:
        cells = _cells(line)
        action = CODE.search(cells[0])
        assert action, f"every row names its action code in backticks: {line}"
        for column, cell in zip(columns, cells[2:], strict=True):
            assert cell[:1] in {"✓", "—"}, f"a cell is ✓ or —: {line}"
            matrix[column][action.group(1)] = cell.startswith("✓")
    return matrix


def code_matrix() -> dict[str, dict[str, bool]]:
    matrix = {role.value: {a.value: a in PERMISSIONS[role] for a in Action} for role in Role}
    matrix[TERMINAL] = {a.value: a in TERMINAL_ACTIONS for a in Action}
    return matrix


def test_the_documented_matrix_is_the_codes_matrix():
    assert doc_matrix() == code_matrix()


def test_every_role_is_described_with_its_stored_code():
    roles = DOC.read_text(encoding="utf-8").split("## Roles\n", 1)[1].split("\n## ", 1)[0]
    assert {role.value for role in Role} <= set(CODE.findall(roles))
