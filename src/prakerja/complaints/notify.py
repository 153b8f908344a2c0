"""Messages to reporters and officers about complaints (email and SMS; the outbox in development).

They name the ticket and link to it; they never quote what was written, because a public reporter's
contact is not verified and a message must not carry one person's words to another's mailbox.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from prakerja.accounts.sms import send_sms
from prakerja.complaints import access
from prakerja.complaints.models import Complaint, ComplaintMessage

SUBJECT = "Pengaduan Kartu Prakerja"


def _link(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def reporter_link(complaint: Complaint) -> str:
    if complaint.reporter_user_id is None:
        return _link(reverse("complaints:lookup")) + f"?nomor={complaint.number}"
    return _link(reverse("complaints:ticket", args=[complaint.public_id]))


def staff_link(complaint: Complaint) -> str:
    return _link(reverse("complaints:staff-detail", args=[complaint.public_id]))


def contacts(complaint: Complaint) -> tuple[str, str]:
    """(email, phone) of the reporter, either may be empty."""
    user = complaint.reporter_user
    if user is not None:
        return user.email or "", user.phone or ""
    return complaint.reporter_email, complaint.reporter_phone


def to_reporter(complaint: Complaint, text: str, subject: str = SUBJECT) -> int:
    email, phone = contacts(complaint)
    sent = 0
    if email:
        send_mail(f"{subject} {complaint.number}", text, None, [email])
        sent += 1
    if phone:
        send_sms(phone, text)
        sent += 1
    return sent


def filed(complaint_id: int) -> int:
    """The filing's confirmation: the ticket's number and, for a public reporter, the access code, derived
    from the row as at filing (complaints/access.py), so the queue held only the complaint's id."""
    complaint = Complaint.objects.select_related("reporter_user").filter(pk=complaint_id).first()
    if complaint is None:
        return 0
    text = f"Pengaduan Anda diterima dengan nomor {complaint.number}."
    if complaint.reporter_user_id is None:
        code = access.access_code_of(complaint)
        if not hmac.compare_digest(access.hash_code(code), complaint.access_code_hash):
            # This worker's SECRET_KEY is not the web's (or it changed since): the code would never open the
            # ticket. Failing the task says so in the log and in the task results.
            raise RuntimeError(f"access code of complaint {complaint_id} does not match its hash: SECRET_KEY differs?")
        text += f" Kode akses: {code}. Simpan kode ini; kode diperlukan untuk melihat dan membalas pengaduan."
    text += f" Pantau di {reporter_link(complaint)}"
    return to_reporter(complaint, text)


def reporter_about(message_id: int) -> int:
    message = ComplaintMessage.objects.select_related("complaint__reporter_user").filter(pk=message_id).first()
    if message is None or message.internal:
        return 0
    complaint = message.complaint
    if message.kind == ComplaintMessage.Kind.RESOLUTION:
        text = (
            f"Pengaduan {complaint.number} telah selesai ditangani. Baca penyelesaiannya, lalu konfirmasi atau "
            f"buka kembali bila belum tuntas: {reporter_link(complaint)}"
        )
    elif message.kind == ComplaintMessage.Kind.CLOSURE:
        text = f"Pengaduan {complaint.number} ditutup oleh petugas. Keterangan: {reporter_link(complaint)}"
    else:
        text = f"Ada balasan petugas untuk pengaduan {complaint.number}: {reporter_link(complaint)}"
    return to_reporter(complaint, text)


def assignee_about(complaint_id: int) -> int:
    complaint = Complaint.objects.select_related("assignee").filter(pk=complaint_id).first()
    if complaint is None or complaint.assignee is None or not complaint.assignee.is_active:
        return 0
    text = (
        f"Pelapor menulis pada pengaduan {complaint.number} ({complaint.get_status_display()}): {staff_link(complaint)}"
    )
    send_mail(f"{SUBJECT} {complaint.number}", text, None, [complaint.assignee.email])
    return 1


# Escalation reaches the assignee; from level 2 also the program office's heads (role "pmo").
HEADS_FROM_LEVEL = 2
MAX_HEADS = 20


def escalation(complaint_id: int, level: int) -> int:
    from prakerja.accounts.models import User

    complaint = Complaint.objects.select_related("assignee").filter(pk=complaint_id).first()
    if complaint is None:
        return 0
    recipients: set[str] = set()
    if complaint.assignee is not None and complaint.assignee.is_active:
        recipients.add(complaint.assignee.email)
    if level >= HEADS_FROM_LEVEL or not recipients:
        heads = User.objects.filter(is_active=True, role__in=["pmo"]).order_by("id").values_list("email", flat=True)
        recipients.update(heads[:MAX_HEADS])
    text = (
        f"Eskalasi tingkat {level}: pengaduan {complaint.number} ({complaint.get_category_display()}, wilayah "
        f"{complaint.region_code}) melewati batas waktu atau perlu perhatian. {staff_link(complaint)}"
    )
    for email in sorted(recipients):
        send_mail(f"Eskalasi {SUBJECT} {complaint.number}", text, None, [email])
    return len(recipients)
