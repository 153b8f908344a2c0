"""Re-encrypting stored NIK and KK numbers under the current key (``prakerja rotate-pii-key``).

Rotation: set ``PII_ENCRYPTION_KEY`` to a new key and list the previous one in
``PII_OLD_ENCRYPTION_KEYS`` (both decrypt, the new one encrypts), run this, then remove the old key.
People are walked by id in chunks, each chunk its own transaction with its rows locked, so the
command can be interrupted and run again (rows already under the current key are skipped) while
the site keeps running. Blind indexes do not change: they depend on ``PII_INDEX_KEY`` only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from prakerja.core import pii
from prakerja.registry.models import Person

CHUNK = 2000


@dataclass
class Rotated:
    people: int = 0  # rows re-encrypted
    values: int = 0  # numbers re-encrypted (NIK and KK count one each)
    remaining: int = 0  # rows still under another key (a dry run: all of them)


def stale(current_id: str) -> Q:
    """People with a number encrypted under a key other than the current one."""
    prefix = f"{pii.FORMAT}.{current_id}."
    return (~Q(nik_ciphertext="") & ~Q(nik_ciphertext__startswith=prefix)) | (
        ~Q(kk_ciphertext="") & ~Q(kk_ciphertext__startswith=prefix)
    )


def rotate(*, chunk: int = CHUNK, dry_run: bool = False, progress: Callable[[int, int], None] | None = None) -> Rotated:
    current = pii.keys().current_id
    todo = Person.objects.filter(stale(current))
    total = todo.count()
    done = Rotated(remaining=total)
    if dry_run or not total:
        return done
    last = 0
    while True:
        with transaction.atomic():
            rows = list(
                todo.filter(id__gt=last)
                .order_by("id")
                .select_for_update()
                .only("id", "nik_ciphertext", "kk_ciphertext")[:chunk]
            )
            if not rows:
                break
            for person in rows:
                for field, kind in (("nik_ciphertext", "nik"), ("kk_ciphertext", "kk")):
                    token = getattr(person, field)
                    if pii.needs_rotation(token):
                        setattr(person, field, pii.encrypt(kind, pii.decrypt(kind, token)))
                        done.values += 1
            Person.objects.bulk_update(rows, ["nik_ciphertext", "kk_ciphertext"])
            last = rows[-1].id
            done.people += len(rows)
        if progress:
            progress(done.people, total)
    done.remaining = Person.objects.filter(stale(current)).count()
    return done
