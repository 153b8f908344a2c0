"""The operator's admin for accounts: staff roles and areas, and resetting a lost authenticator.

Every change made here is also written to the platform's audit trail (roles and areas decide what a
person may see). An authenticator's secret is never shown: the operator can only delete a device,
after which its owner enrols a new one at the next log-in.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django_otp.plugins.otp_totp.models import TOTPDevice

from prakerja.accounts.models import User
from prakerja.core import audit

AUDITED = ("email", "phone", "role", "region_code", "is_active", "is_staff", "is_superuser")


def _facts(user: User) -> dict[str, Any]:
    return {f: getattr(user, f) for f in AUDITED}


class StaffCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "role", "region_code")


class StaffChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "role", "region_code", "is_active", "date_joined")
    list_filter = ("role", "is_active", "is_superuser")
    search_fields = ("email",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Peran / Role", {"fields": ("role", "region_code", "is_active", "is_staff", "is_superuser")}),
        ("Kontak / Contact", {"fields": ("phone", "email_verified_at", "phone_verified_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "role", "region_code", "password1", "password2")}),
    )
    readonly_fields = ("email_verified_at", "phone_verified_at")
    filter_horizontal = ()

    def save_model(self, request: Any, obj: User, form: Any, change: bool) -> None:
        before = _facts(User.objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        audit.record("accounts.user_saved_in_admin", obj, actor=request.user, before=before, after=_facts(obj))


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "confirmed", "last_used_at")
    search_fields = ("user__email",)
    fields = ("user", "name", "confirmed", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request: Any) -> bool:
        return False  # staff enrol their own authenticator; nobody else ever sees the secret

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: Any, obj: TOTPDevice) -> None:
        audit.record("accounts.two_factor.reset", obj.user, actor=request.user)
        super().delete_model(request, obj)
