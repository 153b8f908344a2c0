"""Background tasks of batches: telling every applicant the result."""

from __future__ import annotations

from django.core.mail import send_mail
from django_tasks import task

from prakerja.accounts.sms import send_sms
from prakerja.batches.explain import reason_problem
from prakerja.batches.models import Application, Recipient


def result_message(application: Application) -> str:
    number = application.batch.number
    recipient = Recipient.objects.filter(application=application).first()
    if application.status == Application.Status.SELECTED and recipient is not None:
        return (
            f"Selamat! Anda terpilih sebagai penerima Kartu Prakerja gelombang {number}. "
            f"Nomor kartu: {recipient.card_number}. Saldo pelatihan sudah masuk; beli pelatihan pertama "
            f"paling lambat {recipient.first_purchase_deadline:%d-%m-%Y}."
        )
    problem = reason_problem(application)
    reason = problem.message("id") if problem else ""
    return (
        f"Hasil seleksi gelombang {number}: Anda belum terpilih. Alasan: {reason} ({application.reason}). "
        "Data Anda tetap tersimpan; Anda dapat bergabung ke gelombang berikutnya tanpa mendaftar ulang."
    )


@task()
def notify_results(application_ids: list[int]) -> int:
    """Email and SMS the result to each applicant of the chunk."""
    sent = 0
    rows = Application.objects.filter(id__in=application_ids).select_related("batch", "person__user")
    for application in rows:
        text = result_message(application)
        user = application.person.user
        send_mail(f"Hasil seleksi Kartu Prakerja gelombang {application.batch.number}", text, None, [user.email])
        if user.phone:
            send_sms(user.phone, text[:300])
        sent += 1
    return sent


@task()
def enforce_deadlines_task() -> int:
    """Periodic: revoke recipients past their first-purchase deadline."""
    from prakerja.batches.actions import enforce_deadlines

    return enforce_deadlines()
