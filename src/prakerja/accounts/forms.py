from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _


class RegisterForm(forms.Form):
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    phone = forms.CharField(
        label=_("Nomor ponsel"),
        max_length=24,
        help_text=_("Contoh: 0812 3456 7890"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    password = forms.CharField(
        label=_("Kata sandi"),
        max_length=128,
        help_text=_("Minimal 8 karakter, jangan hanya angka."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class LoginForm(forms.Form):
    email = forms.CharField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("Kata sandi"), max_length=128, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class PhoneCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Kode SMS (6 digit)"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the email sent by a task (accounts/sending.py): a mail server that is
    slow or hangs must not hold the request (Django's form already logs, rather than raises, a failed send).

    Only what this site's view passes is carried over: Django's token generator and sender, no HTML
    email, no extra context. Anything else is refused, so that a later change cannot drop it silently."""

    def save(  # type: ignore[override]  # queues instead of sending: nothing to return
        self, domain_override: str | None = None, use_https: bool = False, request: Any = None, **opts: Any
    ) -> None:
        from django.contrib.auth.tokens import default_token_generator

        from prakerja.accounts import sending

        unsupported = {
            k: v
            for k, v in opts.items()
            if v not in (None, default_token_generator) and k not in ("subject_template_name", "email_template_name")
        }
        if unsupported:
            raise ValueError(f"QueuedPasswordResetForm does not carry {sorted(unsupported)} to the task")
        domain = domain_override or (request.get_host() if request is not None else "")
        templates = {k: opts[k] for k in ("subject_template_name", "email_template_name") if opts.get(k)}
        users = [user.pk for user in self.get_users(self.cleaned_data["email"])]
        sending.queue_password_reset(users, domain, use_https, templates)
