"""``prakerja totp-code EMAIL``: the current two-factor code of a demo staff account (development only)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from prakerja.accounts.demo import DEMO_TOTP_KEY_HEX, current_code
from prakerja.accounts.models import User


class Command(BaseCommand):
    help = "Print the current authenticator code of a demo staff account (refused in production)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, **o):
        if settings.PRODUCTION:
            raise CommandError("totp-code is for development only: staff use their own authenticator app")
        user = User.objects.filter(email__iexact=o["email"]).first()
        if user is None or user.role == User.Role.PARTICIPANT:
            raise CommandError("no staff account with this email")
        device = user.totpdevice_set.filter(confirmed=True).first()  # type: ignore[attr-defined]
        if device is not None and device.key != DEMO_TOTP_KEY_HEX:
            raise CommandError("this account uses its own authenticator; its code cannot be shown")
        self.stdout.write(current_code(user))
