from django.core.management.base import BaseCommand

from prakerja.aptitude.loading import load_questions


class Command(BaseCommand):
    help = "Load the basic aptitude test question bank (idempotent)."

    def handle(self, *args, **options):
        self.stdout.write(self.style.SUCCESS(f"Question bank: {load_questions()} questions loaded."))
