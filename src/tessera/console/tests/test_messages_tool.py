"""``python -m tessera.devtools.messages``: compiles with babel and refuses stale, incomplete or broken catalogues."""

from __future__ import annotations

import shutil
from gettext import GNUTranslations

import pytest

from tessera.devtools import messages


@pytest.fixture
def locale_dir(tmp_path):
    target = tmp_path / "locale"
    shutil.copytree(messages.LOCALE_DIR, target)
    return target


def _po(locale_dir, language):
    return locale_dir / language / "LC_MESSAGES" / "django.po"


def test_a_fresh_compile_passes_the_check_and_reads_back(locale_dir):
    for mo in locale_dir.glob("*/LC_MESSAGES/django.mo"):
        mo.unlink()
    assert messages.main(["--locale-dir", str(locale_dir)]) == 0
    with (locale_dir / "ko" / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        korean = GNUTranslations(handle)
    assert korean.gettext("Members") == "회원"
    assert korean.ngettext("%(counter)s point", "%(counter)s points", 5) == "%(counter)s포인트"


def test_a_stale_compiled_file_fails_the_check(locale_dir):
    po = _po(locale_dir, "zh_Hant")
    po.write_text(po.read_text().replace('msgstr "會員"', 'msgstr "會員們"', 1))
    problems = messages.check(locale_dir)
    assert any("stale" in str(p) and "zh_Hant" in str(p) for p in problems)
    assert messages.main(["--check", "--locale-dir", str(locale_dir)]) == 1


def test_a_missing_translation_fails_the_check(locale_dir, capsys):
    po = _po(locale_dir, "zh_Hans")
    po.write_text(po.read_text().replace('msgstr "积分欠额"', 'msgstr ""', 1))
    messages.compile_all(locale_dir)
    assert messages.main(["--check", "--locale-dir", str(locale_dir)]) == 1
    assert "no translation for 'Points owed'" in capsys.readouterr().err


def test_a_broken_placeholder_fails_the_check(locale_dir):
    po = _po(locale_dir, "ko")
    po.write_text(po.read_text().replace("%(store)s에 오신", "%(shop)s에 오신", 1))
    messages.compile_all(locale_dir)
    assert any("placeholder" in str(p) or "shop" in str(p) for p in messages.check(locale_dir))


def test_the_check_does_not_write(locale_dir):
    mo = locale_dir / "ko" / "LC_MESSAGES" / "django.mo"
    mo.write_bytes(b"stale")
    messages.main(["--check", "--locale-dir", str(locale_dir)])
    assert mo.read_bytes() == b"stale"
