"""Read-only admin for the ledger: money moves only through prakerja.payments.actions."""

from typing import Any

from django.contrib import admin

from prakerja.payments.models import JournalEntry, LedgerAccount, Posting


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ("code", "kind", "balance", "allow_negative", "created_at")
    list_filter = ("kind",)
    search_fields = ("code",)


class PostingInline(admin.TabularInline):
    model = Posting
    fields = ("account", "amount")
    readonly_fields = ("account", "amount")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "idempotency_key", "memo", "actor")
    list_filter = ("kind",)
    search_fields = ("idempotency_key", "public_id", "memo")
    date_hierarchy = "at"
    inlines = (PostingInline,)


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdmin):
    list_display = ("entry", "account", "amount")
    search_fields = ("account__code", "entry__idempotency_key")
    list_select_related = ("entry", "account")
