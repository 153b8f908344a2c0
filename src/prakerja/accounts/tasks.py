"""Background work of accounts: the verification messages (accounts/sending.py says why they are queued)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_welcome_task(user_id: int, otp_id: int) -> dict[str, bool]:
    """A new account's SMS code and email link."""
    from prakerja.accounts import sending

    return sending.send_welcome(user_id, otp_id)


@task()
def send_phone_code_task(otp_id: int) -> bool:
    from prakerja.accounts import sending

    return sending.send_phone_code(otp_id)


@task()
def send_email_link_task(user_id: int) -> bool:
    from prakerja.accounts import sending

    return sending.send_email_link(user_id)


@task()
def send_password_reset_task(user_ids: list[int], domain: str, use_https: bool, templates: dict[str, str]) -> int:
    from prakerja.accounts import sending

    return sending.send_password_reset(user_ids, domain, use_https, templates)
