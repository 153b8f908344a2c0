"""``prakerja send-surveys``: invite everyone whose evaluation survey wave has come (also a periodic task)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from prakerja.surveys.actions import send_due_surveys


class Command(BaseCommand):
    help = "Send the evaluation surveys that have come due (30 and 90 days after the first training)."

    def handle(self, *args, **o):
        def progress(done: int, total: int) -> None:
            sys.stderr.write(f"\rInviting {done:,}/{total:,}")
            if done == total:
                sys.stderr.write("\n")

        sent = send_due_surveys(progress=progress)
        self.stdout.write(self.style.SUCCESS(f"{sent:,} survey invitations sent."))
