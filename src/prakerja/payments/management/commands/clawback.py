"""``prakerja clawback --nik NIK --reason TEXT --by EMAIL``: record what an ineligible recipient owes back."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from prakerja.accounts.models import User
from prakerja.core import roles
from prakerja.core.access import has_duty
from prakerja.core.errors import DomainError
from prakerja.payments.clawback import claw_back
from prakerja.payments.rules import rupiah
from prakerja.registry.models import Person


class Command(BaseCommand):
    help = "Revoke a recipient found ineligible and book a recovery receivable for what they used."

    def add_arguments(self, parser):
        parser.add_argument("--nik", required=True)
        parser.add_argument("--reason", required=True)
        parser.add_argument("--by", required=True, metavar="EMAIL", help="The program-office officer deciding")

    def handle(self, *args, **o):
        officer = User.objects.filter(email__iexact=o["by"]).first()
        if officer is None or not has_duty(officer, roles.FINANCE_MAKER):
            raise CommandError("--by must name a finance maker's email")
        person = Person.objects.with_nik(o["nik"]).first()
        if person is None:
            raise CommandError("PERSON_NOT_FOUND: no participant has this NIK")
        try:
            clawback = claw_back(person, o["reason"], actor=officer)
        except DomainError as exc:
            raise CommandError("; ".join(f"{p.code}: {p.message('en')}" for p in exc.problems)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Recovery recorded: training {rupiah(clawback.training_used)} + incentives "
                f"{rupiah(clawback.incentives_paid)} = {rupiah(clawback.total)}."
            )
        )
