"""Read-only admin for the ledger: money moves only through prakerja.payments.actions."""

from typing import Any

from django.contrib import admin

from prakerja.payments.models import (
    DisbursementBatch,
    Entitlement,
    JournalEntry,
    LedgerAccount,
    Mismatch,
    Payout,
    PayoutProvider,
    Posting,
)


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


@admin.register(PayoutProvider)
class PayoutProviderAdmin(admin.ModelAdmin):
    """The settings table of banks and e-wallets: the program office adds providers or switches them off."""

    list_display = ("code", "name", "channel", "number_pattern", "number_hint", "active")
    list_filter = ("channel", "active")

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # switch off instead: payouts name providers by code


@admin.register(Entitlement)
class EntitlementAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "kind", "sequence", "amount", "status", "created_at", "paid_at")
    list_filter = ("kind", "status")


@admin.register(DisbursementBatch)
class DisbursementBatchAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "status", "payout_count", "total_amount", "created_at", "approved_at")
    list_filter = ("status",)


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ("idempotency_key", "status", "amount", "provider", "attempts", "failure_code", "confirmed_at")
    list_filter = ("status", "provider")
    search_fields = ("idempotency_key", "transfer_id")


@admin.register(Mismatch)
class MismatchAdmin(ReadOnlyAdmin):
    list_display = ("kind", "idempotency_key", "statement_amount", "book_amount", "resolved_at")
    list_filter = ("kind",)
