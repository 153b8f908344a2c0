"""Background work of surveys: sending the waves when they come due."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task

from prakerja.accounts.sms import send_sms


@task()
def send_due_surveys_task() -> int:
    """Periodic: invite everyone whose survey wave has come."""
    from prakerja.surveys.actions import send_due_surveys

    return send_due_surveys()


@task()
def notify_invitation(invitation_id: int) -> bool:
    from prakerja.surveys.models import SurveyInvitation

    invitation = SurveyInvitation.objects.select_related("person__user").filter(pk=invitation_id).first()
    if invitation is None:
        return False
    user = invitation.person.user
    link = f"{settings.SITE_URL.rstrip('/')}/survei/{invitation.public_id}/"
    text = (
        f"Survei evaluasi Kartu Prakerja ({invitation.days_after} hari setelah pelatihan): apakah Anda kini bekerja, "
        f"berwirausaha, atau masih mencari kerja? Jawab di {link} dan dapatkan insentif survei."
    )
    send_mail("Survei evaluasi Kartu Prakerja", text, None, [user.email])
    if user.phone:
        send_sms(user.phone, text)
    return True
