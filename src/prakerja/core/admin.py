from django.contrib import admin

from prakerja.core.models import AuditEvent, ProgramSettingVersion


@admin.register(ProgramSettingVersion)
class ProgramSettingVersionAdmin(admin.ModelAdmin):
    list_display = ("key", "value", "changed_by", "changed_at")
    list_filter = ("key",)

    def has_change_permission(self, request, obj=None):  # versions are appended, never edited
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "object_type", "object_id", "actor")
    list_filter = ("action",)
    search_fields = ("object_id", "action")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
