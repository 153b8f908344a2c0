"""Background work of payments: sending payouts, and telling participants what happened."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from prakerja.accounts.sms import send_sms


@task()
def disburse_task() -> dict[str, int]:
    """Periodic, and right after a batch is approved: send, poll, close finished batches."""
    from prakerja.payments.disbursement import disburse

    summary = disburse()
    return {"sent": summary.sent, "confirmed": summary.confirmed, "failed": summary.failed}


@task()
def notify_payouts(payout_ids: list[int]) -> int:
    """SMS each participant whose payout was confirmed, failed or returned (one task per applied chunk)."""
    from prakerja.payments.models import Payout

    payouts = Payout.objects.select_related("entitlement__person__user").filter(pk__in=payout_ids)
    return sum(1 for payout in payouts if _tell(payout))


def _tell(payout: Any) -> bool:
    from prakerja.payments.models import Payout
    from prakerja.payments.rules import rupiah

    phone = payout.entitlement.person.user.phone
    if not phone:
        return False
    amount = rupiah(payout.amount)
    where = f"{payout.provider.upper()} *{payout.account_number[-4:]}"
    texts: dict[str, str] = {
        Payout.Status.CONFIRMED: f"Insentif Kartu Prakerja {amount} sudah dikirim ke {where}.",
        Payout.Status.FAILED: (
            f"Insentif Kartu Prakerja {amount} gagal dikirim ke {where}. "
            "Periksa atau ganti rekening Anda di dasbor Prakerja."
        ),
        Payout.Status.RETURNED: (
            f"Insentif Kartu Prakerja {amount} dikembalikan oleh {payout.provider.upper()}. "
            "Masukkan rekening lain di dasbor Prakerja agar dapat dikirim ulang."
        ),
    }
    text = texts.get(payout.status)
    if text is None:
        return False
    send_sms(phone, text)
    return True
