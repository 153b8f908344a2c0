"""The program office's admin views of the catalog (changes go through the actions and pages)."""

from django.contrib import admin

from prakerja.catalog.models import Institution, Program, Trainer, TrainingClass, Venue


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "kind", "status", "province_code", "regency_code", "client_code")
    list_filter = ("kind", "status")
    search_fields = ("legal_name", "client_code", "licence_number")
    # The sign key is shown once, when issued; never here.
    exclude = ("sign_key", "previous_sign_key")
    readonly_fields = ("client_code",)


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("title", "institution", "mode", "price", "status", "rating_count")
    list_filter = ("status", "mode", "category")
    search_fields = ("title",)
    raw_id_fields = ("institution", "district", "decided_by")


@admin.register(TrainingClass)
class TrainingClassAdmin(admin.ModelAdmin):
    list_display = ("code", "program", "starts_at", "capacity", "seats_taken", "status")
    list_filter = ("status",)
    search_fields = ("code",)
    raw_id_fields = ("program", "venue")


admin.site.register(Trainer)
admin.site.register(Venue)
