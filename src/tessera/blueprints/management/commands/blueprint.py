"""``tessera blueprint list`` and ``tessera blueprint apply CODE --program prg_...``: programme templates by hand.

Applying runs as the system actor ``cli`` at the programme owner's headquarters and is audited like any change.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tessera.blueprints.selectors import blueprint_list
from tessera.blueprints.services import blueprint_apply
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.programs.models import Program
from tessera.stores.selectors import headquarters_actor


class Command(BaseCommand):
    help = "List the programme templates, or apply one to a programme."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Every template, with what it sets.")
        apply = sub.add_parser("apply", help="Apply a template to a programme, all or nothing.")
        apply.add_argument("code", help="The template's code, as `blueprint list` shows it.")
        apply.add_argument("--program", required=True, help="The programme's public id (prg_...).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for item in blueprint_list():
                self.stdout.write(f"{item['code']:<24} {item['title']} ({item['source']})")
            return
        program = Program.objects.filter(public_id=options["program"]).first()
        if program is None:
            raise CommandError(f"no programme {options['program']}")
        actor = headquarters_actor(merchant_id=program.owner_id, system="cli")
        try:
            applied = blueprint_apply(program=program, code=options["code"], actor=actor, now=now())
        except DomainError as exc:
            raise CommandError(exc.text()) from exc
        self.stdout.write(json.dumps(asdict(applied)))
