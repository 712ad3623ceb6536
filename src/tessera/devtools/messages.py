"""Compile Tessera's gettext catalogues with babel, and check that they are complete and committed.

``python -m tessera.devtools.messages`` compiles every ``locale/<lang>/LC_MESSAGES/django.po`` to its ``.mo``.
``--check`` writes nothing; it exits 1 if a committed ``.mo`` differs from a fresh compile (or is missing), if
any message lacks a translation (or is fuzzy) in a required language, or if a translation breaks the message's
``%(name)s`` placeholders. Babel is pure Python, so neither GNU ``msgfmt`` nor any system package is needed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
REQUIRED = ("zh_Hans", "zh_Hant", "ko")  # English is the source language; its msgstrs may stay empty
DOMAIN = "django"
PINNED_DATE = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Problem:
    path: Path
    text: str

    def __str__(self) -> str:
        return f"{self.path}: {self.text}"


def catalogue_paths(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def catalogue_read(po_path: Path) -> Catalog:
    language = po_path.parent.parent.name
    with po_path.open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def compiled(catalog: Catalog) -> bytes:
    """The .mo bytes for ``catalog``: fuzzy entries left out, so an unreviewed guess is never shown.

    The dates of the .po header are pinned, so re-extracting strings (which stamps a new creation date) leaves
    the compiled files byte-identical unless a message or translation really changed.
    """
    catalog.creation_date = catalog.revision_date = PINNED_DATE
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _untranslated(message: Message) -> bool:
    if message.fuzzy:
        return True
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return not all(strings)


def missing_translations(catalog: Catalog) -> Iterator[str]:
    for message in catalog:
        if message.id and _untranslated(message):
            msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
            yield f"no translation for {msgid!r}"


def placeholder_errors(catalog: Catalog) -> Iterator[str]:
    for message, errors in catalog.check():
        for error in errors:
            yield f"{message.id!r}: {error}"


def check(locale_dir: Path = LOCALE_DIR) -> list[Problem]:
    """Every reason the committed catalogues are not ready to ship; empty when they are."""
    problems: list[Problem] = []
    paths = catalogue_paths(locale_dir)
    found = {path.parent.parent.name for path in paths}
    problems += [Problem(locale_dir / lang, "catalogue missing") for lang in REQUIRED if lang not in found]
    for po_path in paths:
        catalog = catalogue_read(po_path)
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.read_bytes() != compiled(catalog):
            problems.append(Problem(mo_path, "stale or missing; run `make compilemessages` without --check"))
        if po_path.parent.parent.name in REQUIRED:
            problems += [Problem(po_path, text) for text in missing_translations(catalog)]
        problems += [Problem(po_path, text) for text in placeholder_errors(catalog)]
    return problems


def compile_all(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Write each catalogue's .mo; files already up to date are left untouched."""
    written = []
    for po_path in catalogue_paths(locale_dir):
        data = compiled(catalogue_read(po_path))
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.read_bytes() != data:
            mo_path.write_bytes(data)
            written.append(mo_path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tessera.devtools.messages", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if anything is stale or missing")
    parser.add_argument("--locale-dir", type=Path, default=LOCALE_DIR)
    args = parser.parse_args(argv)
    if not args.check:
        for path in compile_all(args.locale_dir):
            print(f"compiled {path}")
    # Compiling cannot supply a missing translation, so both modes end with the check and its exit status.
    problems = check(args.locale_dir)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(problems)} problem(s) in {len(catalogue_paths(args.locale_dir))} catalogue(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
