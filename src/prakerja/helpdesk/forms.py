"""Forms of the help-desk pages. Rules live in ``actions`` and ``rules``: a form only carries input,
so every refusal (missing consent, a wrong photo, an out-of-area resident) shows its stable code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from prakerja.helpdesk.models import ConsentMethod, HelpDesk
from prakerja.regions.models import Regency
from prakerja.registry.forms import IdentityForm


class ConsentForm(forms.Form):
    desk = forms.ChoiceField(label=_("Meja layanan"), choices=[])
    read_aloud = forms.BooleanField(
        label=_("Saya sudah membacakan teks persetujuan di atas kepada warga, dan warga menyetujuinya."),
        required=False,
    )
    method = forms.ChoiceField(
        label=_("Cara warga memberi persetujuan"),
        choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    reference = forms.CharField(
        label=_("Nomor formulir bertanda tangan, atau nama saksi (persetujuan lisan)"),
        max_length=120,
        required=False,
    )
    version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, desks: list[HelpDesk], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["desk"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(d.public_id), f"{d.name} — {d.regency.name}") for d in desks]


class AccountForm(forms.Form):
    email = forms.CharField(
        label=_("Email warga"),
        max_length=254,
        help_text=_("Untuk masuk ke akun. Bantu warga membuat alamat email bila belum punya."),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "inputmode": "email"}),
    )
    phone = forms.CharField(
        label=_("Nomor ponsel warga"),
        max_length=24,
        help_text=_("Contoh: 0812 3456 7890. Kode SMS dan tautan kata sandi dikirim ke nomor ini."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}),
    )


class PhoneCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Kode SMS (6 digit, diketik oleh warga)"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Foto KTP (JPEG atau PNG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}),
    )


class DeskIdentityForm(IdentityForm):
    """The participant's identity form, typed by the officer, plus the photo comparison."""

    photo_matches = forms.BooleanField(
        label=_("Saya sudah mencocokkan foto KTP dengan warga yang hadir di meja layanan: orangnya sama."),
        required=False,
    )


class DeskForm(forms.Form):
    regency = forms.ChoiceField(label=_("Kabupaten/kota"), choices=[])
    name = forms.CharField(label=_("Nama meja layanan"), max_length=120)
    address = forms.CharField(label=_("Alamat"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    opening_hours = forms.CharField(
        label=_("Jam layanan"), max_length=200, help_text=_("Contoh: Senin–Jumat 08.00–15.00 WIB")
    )
    phone = forms.CharField(
        label=_("Telepon"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    email = forms.CharField(label=_("Email"), max_length=254, required=False, widget=forms.EmailInput())
    active = forms.BooleanField(label=_("Aktif (tampil di direktori publik)"), required=False, initial=True)

    def __init__(self, *args: Any, scope: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regencies = Regency.objects.all()
        if len(scope) == 2:
            regencies = regencies.filter(province_id=scope)
        elif scope:
            regencies = regencies.filter(code=scope)
        field = self.fields["regency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *((r.code, f"{r.name} ({r.code})") for r in regencies)]


class ReportForm(forms.Form):
    start = forms.DateField(label=_("Dari tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Sampai tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
