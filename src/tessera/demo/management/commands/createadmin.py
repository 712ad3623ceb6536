"""``tessera createadmin``: create a platform administrator for Django admin at /admin/.

The password comes from ``TESSERA_ADMIN_PASSWORD`` (for scripts) or is asked for twice at the terminal, and must
pass the project's password validators (at least 12 characters, not common, not all digits, not like the name).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from tessera.access.models import StaffUser

PASSWORD_ENV = "TESSERA_ADMIN_PASSWORD"  # noqa: S105 (the name of a variable, not a password)
PROMPT_ATTEMPTS = 3


class Command(BaseCommand):
    help = f"Create a platform administrator (superuser). The password is read from {PASSWORD_ENV} or asked for."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--username", default="admin", help="Login name (default: admin).")
        parser.add_argument("--email", default="", help="E-mail address (optional).")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        user = self._new_user(username=options["username"].strip(), email=options["email"].strip())
        password = os.environ.get(PASSWORD_ENV)
        if password is not None:
            _check(password, user)
        else:
            password = self._prompt(user)
        StaffUser.objects.create_superuser(
            username=user.username, email=user.email, password=password, role=StaffUser.RoleChoice.HQ_ADMIN
        )
        self.stdout.write(f"Created platform administrator {user.username!r}. Sign in at /admin/.")

    def _new_user(self, *, username: str, email: str) -> StaffUser:
        if not username:
            raise CommandError("--username must not be empty.")
        if StaffUser.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        if email:
            try:
                validate_email(email)
            except ValidationError as exc:
                raise CommandError(f"{email!r} is not a valid e-mail address.") from exc
        return StaffUser(username=username, email=email, is_staff=True, is_superuser=True)

    def _prompt(self, user: StaffUser) -> str:
        if not sys.stdin.isatty():
            raise CommandError(f"No terminal to ask for a password: set {PASSWORD_ENV}.")
        for _attempt in range(PROMPT_ATTEMPTS):
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The passwords do not match.")
                continue
            try:
                _check(password, user)
            except CommandError as exc:
                self.stderr.write(str(exc))
                continue
            return password
        raise CommandError("No acceptable password given.")


def _check(password: str, user: StaffUser) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise CommandError("The password is not accepted: " + " ".join(exc.messages)) from exc
