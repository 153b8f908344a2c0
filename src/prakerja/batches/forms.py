from django import forms
from django.utils.translation import gettext_lazy as _

from prakerja.batches.models import Batch


class BatchForm(forms.Form):
    number = forms.IntegerField(label=_("Nomor gelombang"), min_value=1)
    name = forms.CharField(label=_("Nama"), max_length=120, required=False)
    quota = forms.IntegerField(
        label=_("Kuota total"),
        min_value=1,
        required=False,
        help_text=_("Kosongkan untuk gelombang pemulihan: kuota = kepesertaan yang dicabut."),
    )
    opens_at = forms.DateTimeField(
        label=_("Dibuka (WIB)"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=_("Ditutup (WIB)"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    allocation = forms.ChoiceField(label=_("Pembagian kuota"), choices=Batch.Allocation.choices)
    method = forms.ChoiceField(label=_("Cara pembagian"), choices=Batch.Method.choices)
    quota_table = forms.CharField(
        label=_("Tabel kuota tetap"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Satu baris per wilayah: kode,kuota (mis. 3273,120). Hanya untuk pembagian tetap."),
    )
    recovery = forms.BooleanField(label=_("Gelombang pemulihan (kuota dari kepesertaan yang dicabut)"), required=False)

    def clean_quota_table(self) -> dict[str, int]:
        table: dict[str, int] = {}
        for line in self.cleaned_data["quota_table"].splitlines():
            if not line.strip():
                continue
            code, _sep, quota = line.partition(",")
            if not code.strip().isdigit() or not quota.strip().isdigit():
                raise forms.ValidationError(_("Format baris: kode,kuota"))
            table[code.strip()] = int(quota.strip())
        return table
