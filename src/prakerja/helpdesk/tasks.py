"""Background work of the help desks: sending set-password links, purging ID photos."""

from __future__ import annotations

from django_tasks import task


@task()
def send_activation_task(registration_id: int) -> bool:
    """Send the set-password link by SMS and email (queued after the account's transaction commits)."""
    from prakerja.helpdesk import activation
    from prakerja.helpdesk.models import AssistedRegistration

    registration = (
        AssistedRegistration.objects.select_related("resident", "desk")
        .filter(pk=registration_id, resident__isnull=False, activated_at__isnull=True)
        .first()
    )
    if registration is None:
        return False
    activation.send(registration)
    return True


@task()
def purge_id_photos_task() -> int:
    """Periodic: delete ID photos kept longer than ``HELPDESK_PHOTO_MAX_HOURS`` without being verified."""
    from prakerja.helpdesk.actions import purge_id_photos

    return purge_id_photos()
