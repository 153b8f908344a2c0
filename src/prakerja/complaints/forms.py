"""The complaint form of the pages. The action checks everything again and answers with codes; the form
only shapes the page (labels, choices, lengths)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from prakerja.complaints import rules
from prakerja.complaints.labels import CATEGORY_LABELS

ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.Field):
    """Up to three files; their type and size are checked by the action (with the stable codes)."""

    widget = MultipleFileInput

    def clean(self, value: Any) -> list[Any]:
        if isinstance(value, list | tuple):
            return [v for v in value if v]
        return [value] if value else []


def regency_choices() -> list[tuple[str, Any]]:
    """Every regency/city, grouped by province (for a reporter without a district on record)."""
    from prakerja.regions.models import Regency

    groups: dict[str, list[tuple[str, str]]] = {}
    for regency in Regency.objects.select_related("province").order_by("province__code", "name"):
        groups.setdefault(regency.province.name, []).append((regency.code, regency.name))
    return [("", _("— pilih kabupaten/kota —")), *groups.items()]


def attachment_hint() -> str:
    return gettext("Paling banyak %(n)s berkas PDF, JPEG, atau PNG, masing-masing paling besar %(mb)s MB.") % {
        "n": rules.MAX_ATTACHMENTS_PER_MESSAGE,
        "mb": rules.MAX_ATTACHMENT_BYTES // (1024 * 1024),
    }


class ComplaintForm(forms.Form):
    category = forms.ChoiceField(label=_("Kategori"), choices=[("", _("— pilih kategori —")), *CATEGORY_LABELS.items()])
    subject = forms.CharField(label=_("Judul singkat"), max_length=150)
    description = forms.CharField(
        label=_("Uraian pengaduan"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Ceritakan apa yang terjadi, kapan, dan langkah yang sudah dicoba. Jangan tulis kata sandi atau kode OTP."
        ),
    )
    name = forms.CharField(label=_("Nama lengkap"), max_length=120)
    email = forms.CharField(label=_("Email"), max_length=254, required=False, widget=forms.EmailInput())
    phone = forms.CharField(
        label=_("Nomor ponsel"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=_("Isi email atau nomor ponsel (atau keduanya) untuk menerima kabar pengaduan."),
    )
    regency_code = forms.ChoiceField(label=_("Kabupaten/kota Anda"), choices=())
    attachments = MultipleFileField(
        label=_("Lampiran (opsional)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args: Any, public: bool, needs_region: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not public:
            for name in ("name", "email", "phone"):
                del self.fields[name]
        else:
            self.fields["email"].widget.attrs["autocomplete"] = "email"
        if needs_region:
            field = self.fields["regency_code"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = regency_choices()
        else:
            del self.fields["regency_code"]
        self.fields["attachments"].help_text = attachment_hint()


class LookupForm(forms.Form):
    number = forms.CharField(
        label=_("Nomor tiket"), max_length=24, widget=forms.TextInput(attrs={"placeholder": "PGD-2026-000123"})
    )
    code = forms.CharField(
        label=_("Kode akses"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        help_text=_("Kode 12 huruf/angka yang diberikan saat pengaduan dikirim."),
    )
