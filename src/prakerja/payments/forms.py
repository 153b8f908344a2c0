"""The participant's payout-account form: the same fields as ``PUT /api/v1/me/payout-account``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from prakerja.payments.payout_accounts import providers


class PayoutAccountForm(forms.Form):
    provider = forms.ChoiceField(label=_("Bank atau dompet digital"))
    account_number = forms.CharField(
        label=_("Nomor rekening / nomor ponsel dompet digital"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    holder_name = forms.CharField(
        label=_("Nama pemilik (sesuai KTP)"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        banks = [(p.code, f"{p.name} ({p.number_hint})") for p in providers() if p.channel == "bank"]
        wallets = [(p.code, f"{p.name} ({p.number_hint})") for p in providers() if p.channel == "ewallet"]
        self.fields["provider"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            (_("Bank"), banks),
            (_("Dompet digital"), wallets),
        ]
