"""Forms of the monitoring pages: the planning sheet (a GET form, no state) and the region's APBD entry.

Amounts are whole rupiah; people write them with or without thousands dots ("1.500.000", "Rp 1.500.000").
Every message is in Indonesian (the msgid) with its English in the locale files.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from prakerja.reports import apbd, planning

_RUPIAH_NOISE = re.compile(r"^\s*rp\.?\s*|[\s.]", re.IGNORECASE)


class WholeNumberField(forms.IntegerField):
    """A whole number typed as people write it: thousands dots and spaces are dropped ("1.250" is 1250)."""

    widget = forms.TextInput
    noise = re.compile(r"[\s.]")

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = self.noise.sub("", value)
        return super().to_python(value)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # A text box (thousands dots are welcome) that still brings up the digits keyboard on phones.
        attrs = super().widget_attrs(widget)
        for name in ("min", "max", "step"):
            attrs.pop(name, None)
        return attrs | {"inputmode": "numeric", "autocomplete": "off"}


class RupiahField(WholeNumberField):
    """Whole rupiah; thousands dots, spaces and a leading "Rp" are allowed and dropped (no decimals)."""

    noise = _RUPIAH_NOISE

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": _("Tulis jumlah rupiah sebagai bilangan bulat, misalnya 1500000 atau 1.500.000."),
                "required": _("Wajib diisi."),
                "min_value": _("Tidak boleh kurang dari %(limit_value)s."),
                "max_value": _("Tidak boleh lebih dari %(limit_value)s."),
            },
        )
        super().__init__(**kwargs)


def _count_messages() -> dict[str, Any]:
    return {
        "invalid": _("Tulis bilangan bulat, misalnya 250."),
        "required": _("Wajib diisi."),
        "min_value": _("Tidak boleh kurang dari %(limit_value)s."),
        "max_value": _("Tidak boleh lebih dari %(limit_value)s."),
    }


class PercentField(forms.DecimalField):
    """A percentage with at most two decimals; a decimal comma ("2,5") is read as a point."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and "," in value and "." not in value:
            value = value.replace(",", ".")
        return super().to_python(value)


class PlanningForm(forms.Form):
    """The planning sheet's inputs; an empty price or incentive takes the default the page shows."""

    jumlah = WholeNumberField(
        label=_("Jumlah warga yang akan dilatih"),
        min_value=1,
        max_value=planning.MAX_RESIDENTS,
        error_messages=_count_messages(),
    )
    harga = RupiahField(
        label=_("Harga rata-rata pelatihan per orang (Rp)"),
        required=False,
        min_value=1,
        max_value=planning.MAX_PRICE,
    )
    insentif = RupiahField(
        label=_("Insentif per orang (Rp, boleh 0)"),
        required=False,
        min_value=0,
        max_value=planning.MAX_INCENTIVE,
    )
    overhead = PercentField(
        label=_("Biaya pendukung (% dari pelatihan dan insentif, boleh kosong)"),
        required=False,
        min_value=Decimal(0),
        max_value=planning.MAX_OVERHEAD_PERCENT,
        max_digits=5,
        decimal_places=2,
        error_messages={
            "invalid": _("Tulis persentase sebagai angka, misalnya 5 atau 2,5."),
            "min_value": _("Persentase harus antara 0 dan 100."),
            "max_value": _("Persentase harus antara 0 dan 100."),
            "max_digits": _("Persentase harus antara 0 dan 100."),
            "max_whole_digits": _("Persentase harus antara 0 dan 100."),
            "max_decimal_places": _("Paling banyak dua angka di belakang koma."),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, default_price: int | None, default_incentive: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_price = default_price
        self.default_incentive = default_incentive
        self.fields["harga"].help_text = (
            _("Kosongkan untuk memakai rata-rata Rp%(price)s.") % {"price": rupiah(default_price)}
            if default_price
            else _("Belum ada program luring atau bauran yang dibuka: isi harganya.")
        )
        self.fields["insentif"].help_text = _("Kosongkan untuk memakai insentif program Rp%(amount)s.") % {
            "amount": rupiah(default_incentive)
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "harga" in data and data["harga"] is None and self.default_price is None:
            self.add_error("harga", _("Belum ada harga rata-rata yang bisa dipakai: isi harga pelatihan."))
        return data

    def inputs(self) -> planning.Inputs:
        """The inputs with their defaults filled in (call only on a valid form)."""
        data = self.cleaned_data
        price = data["harga"] if data["harga"] is not None else self.default_price
        incentive = data["insentif"] if data["insentif"] is not None else self.default_incentive
        overhead = data["overhead"] if data["overhead"] is not None else Decimal(0)
        assert price is not None  # clean() refuses a missing price when there is no default
        return planning.Inputs(residents=data["jumlah"], price=price, incentive=incentive, overhead_percent=overhead)

    def price_source(self) -> str:
        """ "input" when the officer typed the price, else "default"."""
        return "input" if self.cleaned_data.get("harga") is not None else "default"


class RegionalBudgetForm(forms.Form):
    """One year's APBD of the officer's own area (the area itself is not a choice: it is the officer's)."""

    tahun = forms.IntegerField(
        label=_("Tahun anggaran"),
        error_messages={"invalid": _("Tulis tahun dengan empat angka, misalnya 2026."), "required": _("Wajib diisi.")},
    )
    belanja_tenaga_kerja = RupiahField(
        label=_("APBD untuk urusan tenaga kerja (Rp)"), min_value=1, max_value=apbd.MAX_RUPIAH
    )
    total_apbd = RupiahField(label=_("Total APBD (Rp)"), min_value=1, max_value=apbd.MAX_RUPIAH)

    def __init__(self, *args: Any, this_year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.this_year = this_year
        year = self.fields["tahun"]
        year.widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
        year.help_text = _("Dari %(first)s sampai %(last)s.") % {"first": apbd.FIRST_YEAR, "last": this_year + 1}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year, manpower, total = data.get("tahun"), data.get("belanja_tenaga_kerja"), data.get("total_apbd")
        if year is not None and not apbd.FIRST_YEAR <= year <= self.this_year + 1:
            bounds = {"first": apbd.FIRST_YEAR, "last": self.this_year + 1}
            self.add_error("tahun", _("Tahun harus antara %(first)s dan %(last)s.") % bounds)
        if manpower is not None and total is not None and manpower > total:
            self.add_error("belanja_tenaga_kerja", _("APBD urusan tenaga kerja tidak boleh melebihi total APBD."))
        return data


def rupiah(amount: int | None) -> str:
    """1500000 → "1.500.000" (Indonesian thousands dots)."""
    return "" if amount is None else f"{amount:,}".replace(",", ".")
