from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from prakerja.accounts.demo import demo_secret
from prakerja.registry.demo import DEMO_PASSWORD, LOGINS, RESIDENTS, seed_demo


class Command(BaseCommand):
    help = "Load the demo data set and demo log-ins (idempotent; refused in production)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed-demo publishes known passwords and is refused when PRAKERJA_ENV=production")
        counts = seed_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {counts['districts']:,} districts, {counts['questions']} test questions, "
                f"{counts['residents']} demo residents."
            )
        )
        self.stdout.write(f"\nDemo log-ins (password for all: {DEMO_PASSWORD})")
        for login in LOGINS:
            self.stdout.write(f"  {login.email:<27} {login.note}")
        self.stdout.write(
            f"Staff log in with two factors: the demo authenticator key is {demo_secret()} (base32), "
            "or run: prakerja totp-code EMAIL"
        )
        self.stdout.write("\nResidents in the civil-registry double you can register as (identity page):")
        for r in RESIDENTS[1:4]:
            self.stdout.write(
                f"  NIK {r.nik}  KK {r.kk}  {r.name}, born {r.birth_date:%Y-%m-%d} ({r.gender}), "
                f"mother {r.mother_name}, district {r.district}"
            )
        self.stdout.write(f"\nEmails and SMS codes are written to {settings.OUTBOX_DIR}/")
