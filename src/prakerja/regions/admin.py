from django.contrib import admin

from prakerja.regions.models import District, FormerRegency, Province, Regency


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Regency)
class RegencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "province", "is_city")
    search_fields = ("code", "name")
    list_filter = ("province",)


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "regency")
    search_fields = ("code", "name")
    list_select_related = ("regency",)


@admin.register(FormerRegency)
class FormerRegencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "successor", "changed_year")
