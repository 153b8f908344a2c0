from django.core.management.base import BaseCommand, CommandError

from prakerja.payments.actions import sign_violations, unbalanced_entries, verify_balances


class Command(BaseCommand):
    help = "Compare every account's cached balance with the sum of its postings and check every entry sums to zero."

    def handle(self, *args, **options):
        mismatched = verify_balances()
        unbalanced = unbalanced_entries()
        wrong_sign = sign_violations()
        for code in wrong_sign:
            self.stdout.write(f"SIGN account {code}: balance outside its allowed sign")
        for code in mismatched:
            self.stdout.write(f"MISMATCH account {code}: cached balance differs from the sum of its postings")
        for public_id in unbalanced:
            self.stdout.write(f"UNBALANCED entry {public_id}: postings do not sum to zero")
        if mismatched or unbalanced or wrong_sign:
            raise CommandError(
                f"Ledger check failed: {len(mismatched)} account(s), {len(unbalanced)} entry(ies), "
                f"{len(wrong_sign)} sign(s)."
            )
        self.stdout.write(self.style.SUCCESS("OK: every cached balance equals its postings; every entry balances."))
