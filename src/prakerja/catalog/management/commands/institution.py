"""``prakerja institution create --name NAME`` (CONTRACT.md), ``… rotate-key CLIENT_CODE``,
``… list``."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from prakerja.catalog import actions
from prakerja.catalog.models import Institution
from prakerja.core.errors import DomainError


class Command(BaseCommand):
    help = "Training institutions: create (prints the integration credentials), rotate-key, list."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="onboard an institution; prints {client_code, sign_key} as JSON")
        create.add_argument("--name", required=True)
        create.add_argument("--kind", default="lpk", choices=Institution.Kind.values)
        create.add_argument("--licence", default="")
        create.add_argument("--district", default=None, help="district code (6 digits)")
        create.add_argument("--email", default="")
        rotate = sub.add_parser("rotate-key", help="issue a new sign key; the old one works for a grace period")
        rotate.add_argument("client_code")
        sub.add_parser("list", help="institutions with their client codes")
        suspend = sub.add_parser("suspend", help="take an institution off the catalog and the partner API")
        suspend.add_argument("client_code")
        suspend.add_argument("--reason", required=True)
        activate = sub.add_parser("activate", help="make a suspended institution active again")
        activate.add_argument("client_code")

    def handle(self, *args, **options):
        try:
            if options["action"] == "create":
                institution = actions.create_institution(
                    legal_name=options["name"],
                    kind=options["kind"],
                    licence_number=options["licence"],
                    district_code=options["district"],
                    email=options["email"],
                )
                self.stdout.write(
                    json.dumps({"client_code": institution.client_code, "sign_key": institution.sign_key})
                )
            elif options["action"] == "rotate-key":
                found = Institution.objects.filter(client_code=options["client_code"]).first()
                if found is None:
                    raise CommandError(f"unknown client code {options['client_code']}")
                key = actions.rotate_sign_key(found)
                self.stdout.write(json.dumps({"client_code": found.client_code, "sign_key": key}))
            elif options["action"] in ("suspend", "activate"):
                found = Institution.objects.filter(client_code=options["client_code"]).first()
                if found is None:
                    raise CommandError(f"unknown client code {options['client_code']}")
                status = Institution.Status.SUSPENDED if options["action"] == "suspend" else Institution.Status.ACTIVE
                found = actions.set_institution_status(found, status, options.get("reason") or "")
                self.stdout.write(f"{found.client_code}\t{found.status}\t{found.legal_name}")
            else:
                for institution in Institution.objects.order_by("legal_name"):
                    self.stdout.write(f"{institution.client_code}\t{institution.status}\t{institution.legal_name}")
        except DomainError as error:
            raise CommandError("; ".join(f"{p.code}: {p.message('en')}" for p in error.problems)) from None
