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
    """Django's reset form, with the email sent by a task (accounts/sending.py): a mail server down
    or slow must not answer the person with an error page or hold the request."""

    def save(  # type: ignore[override]  # queues instead of sending: nothing to return
        self, domain_override: str | None = None, use_https: bool = False, request: Any = None, **opts: Any
    ) -> None:
        from prakerja.accounts import sending

        domain = domain_override or (request.get_host() if request is not None else "")
        templates = {k: opts[k] for k in ("subject_template_name", "email_template_name") if opts.get(k)}
        sending.queue_password_reset(self.cleaned_data["email"], domain, use_https, templates)
