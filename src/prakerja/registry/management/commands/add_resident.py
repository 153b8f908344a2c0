import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from prakerja.core.errors import DomainError
from prakerja.registry.residents import add_resident


class Command(BaseCommand):
    help = "Add one person to the civil-registry double (development and test only)."

    def add_arguments(self, parser):
        parser.add_argument("--nik", required=True)
        parser.add_argument("--kk", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--birth-date", required=True, type=dt.date.fromisoformat)
        parser.add_argument("--gender", required=True, choices=["M", "F"])
        parser.add_argument("--mother-name", default="")

    def handle(self, *args, **o):
        try:
            add_resident(
                nik=o["nik"],
                kk=o["kk"],
                name=o["name"],
                birth_date=o["birth_date"],
                gender=o["gender"],
                mother_name=o["mother_name"],
            )
        except DomainError as exc:
            raise CommandError("; ".join(f"{p.code}: {p.message('en')}" for p in exc.problems)) from None
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Resident {o['nik'][:4]}********{o['nik'][12:]} added."))
