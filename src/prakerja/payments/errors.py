"""The ledger's error codes, registered into the platform's one table of messages.

``core/errors.py`` is owned by the core app; the ledger adds its codes at
start-up (:meth:`PaymentsConfig.ready`) so that a code still means one thing
everywhere and every message exists in Indonesian and English.
"""

from __future__ import annotations

from prakerja.core.errors import MESSAGES

LEDGER_MESSAGES: dict[str, tuple[str, str]] = {
    "AMOUNT_INVALID": (
        "Jumlah harus bilangan bulat rupiah lebih dari 0 (paling banyak {max}).",
        "The amount must be a whole number of rupiah greater than 0 (at most {max}).",
    ),
    "BALANCE_INSUFFICIENT": (
        "Saldo tidak mencukupi: tersedia {available}, dibutuhkan {needed}.",
        "Insufficient balance: {available} available, {needed} needed.",
    ),
    "IDEMPOTENCY_CONFLICT": (
        "Kunci idempotensi ini sudah dipakai untuk transaksi dengan data yang berbeda.",
        "This idempotency key was already used for a transaction with different details.",
    ),
    "ENTRY_UNBALANCED": (
        "Jurnal tidak seimbang: perlu paling sedikit dua baris yang jumlahnya nol.",
        "The journal entry is unbalanced: it needs at least two lines that sum to zero.",
    ),
    "SAME_ACCOUNT": (
        "Rekening sumber dan tujuan harus berbeda.",
        "The source and destination accounts must differ.",
    ),
}

MESSAGES.update(LEDGER_MESSAGES)
