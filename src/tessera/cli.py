"""The ``tessera`` command: Django's management commands under one name.

``tessera demo``, ``tessera serve``, ``tessera ledger verify``, ``tessera createadmin`` and every other
management command (``tessera migrate``, ``tessera shell``) run with Tessera's settings already chosen.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tessera.config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["tessera", *(args or ["help"])])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
