from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from prakerja.regions.models import District, Province, Regency
from prakerja.registry.models import Education, EmploymentStatus, Gender, MaritalStatus, Occupation

YES_NO = [("true", _("Ya")), ("false", _("Tidak"))]


def _region_select(label: Any, level: str, target: str | None) -> forms.ChoiceField:
    attrs = {"data-region-level": level}
    if target:
        attrs["data-region-target"] = target
    return forms.ChoiceField(label=label, choices=[], widget=forms.Select(attrs=attrs), required=level == "district")


class IdentityForm(forms.Form):
    nik = forms.CharField(
        label=_("NIK (16 digit, sesuai KTP)"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    kk_number = forms.CharField(
        label=_("Nomor Kartu Keluarga (16 digit)"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    full_name = forms.CharField(label=_("Nama lengkap sesuai KTP"), max_length=120)
    birth_date = forms.CharField(
        label=_("Tanggal lahir"), max_length=10, widget=forms.DateInput(attrs={"type": "date"})
    )
    gender = forms.ChoiceField(label=_("Jenis kelamin"), choices=Gender.choices, widget=forms.RadioSelect)
    mother_name = forms.CharField(label=_("Nama ibu kandung"), max_length=120)
    ktp_province = _region_select(_("Provinsi (alamat KTP)"), "province", "id_ktp_regency")
    ktp_regency = _region_select(_("Kabupaten/kota (alamat KTP)"), "regency", "id_district_code")
    district_code = _region_select(_("Kecamatan (alamat KTP)"), "district", None)
    address = forms.CharField(label=_("Alamat sesuai KTP"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    domicile_province = _region_select(_("Provinsi domisili"), "province", "id_domicile_regency")
    domicile_regency = _region_select(_("Kabupaten/kota domisili"), "regency", "id_domicile_district_code")
    domicile_district_code = _region_select(_("Kecamatan domisili (kosongkan bila sama dengan KTP)"), "district", None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        empty = [("", "—")]
        provinces = empty + list(Province.objects.values_list("code", "name"))
        self.fields["domicile_district_code"].required = False
        selects: dict[str, forms.ChoiceField] = {
            name: field for name, field in self.fields.items() if isinstance(field, forms.ChoiceField)
        }
        for prefix, district_field in (("ktp", "district_code"), ("domicile", "domicile_district_code")):
            selects[f"{prefix}_province"].choices = provinces
            # Keep the person's choices after a refused submission (the lists are filled by script otherwise).
            province = (self.data.get(f"{prefix}_province") or "")[:2]
            regency = (self.data.get(f"{prefix}_regency") or "")[:4]
            selects[f"{prefix}_regency"].choices = empty + list(
                Regency.objects.filter(province_id=province).values_list("code", "name")
            )
            selects[district_field].choices = empty + list(
                District.objects.filter(regency_id=regency).values_list("code", "name")
            )


class ProfileForm(forms.Form):
    education = forms.ChoiceField(label=_("Pendidikan terakhir"), choices=[("", "—"), *Education.choices])
    employment_status = forms.ChoiceField(label=_("Status pekerjaan"), choices=[("", "—"), *EmploymentStatus.choices])
    occupation = forms.ChoiceField(label=_("Pekerjaan"), choices=[("", "—"), *Occupation.choices])
    in_formal_education = forms.ChoiceField(
        label=_("Sedang menempuh pendidikan formal (sekolah/kuliah)?"), choices=YES_NO, widget=forms.RadioSelect
    )
    disability = forms.ChoiceField(label=_("Penyandang disabilitas?"), choices=YES_NO, widget=forms.RadioSelect)
    former_migrant_worker = forms.ChoiceField(
        label=_("Purna pekerja migran Indonesia (PMI)?"), choices=YES_NO, widget=forms.RadioSelect
    )
    prior_training = forms.ChoiceField(
        label=_("Pernah mengikuti pelatihan kerja sebelumnya?"), choices=YES_NO, widget=forms.RadioSelect
    )
    marital_status = forms.ChoiceField(label=_("Status perkawinan"), choices=[("", "—"), *MaritalStatus.choices])
    dependents = forms.IntegerField(label=_("Jumlah tanggungan"), min_value=0, max_value=30)
    desired_topic = forms.CharField(label=_("Topik pelatihan yang diminati"), max_length=100)


class DeclarationForm(forms.Form):
    agree = forms.BooleanField(label=_("Saya telah membaca, menyatakan dan menyetujui hal di atas."))
