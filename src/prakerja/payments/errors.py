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

PAYOUT_MESSAGES: dict[str, tuple[str, str]] = {
    "PROVIDER_UNKNOWN": (
        "Bank atau dompet digital ini tidak tersedia untuk pencairan insentif.",
        "This bank or e-wallet is not available for incentive payouts.",
    ),
    "CHANNEL_MISMATCH": (
        "Penyedia ini bukan {channel}.",
        "This provider is not a {channel}.",
    ),
    "ACCOUNT_NUMBER_INVALID": (
        "Nomor rekening tidak sesuai format {provider} ({hint}).",
        "The account number does not match {provider}'s format ({hint}).",
    ),
    "ACCOUNT_NOT_FOUND": (
        "Rekening tidak ditemukan di {provider}. Periksa kembali nomornya.",
        "The account was not found at {provider}. Check the number.",
    ),
    "ACCOUNT_BLOCKED": (
        "Rekening ini diblokir atau tidak aktif. Gunakan rekening lain.",
        "This account is blocked or inactive. Use another account.",
    ),
    "HOLDER_NAME_MISMATCH": (
        "Nama pemilik rekening tidak sama dengan nama pada KTP Anda.",
        "The account holder's name differs from the name on your ID card.",
    ),
    "HOLDER_NIK_MISMATCH": (
        "Rekening ini bukan atas NIK Anda. Insentif hanya dibayar ke rekening milik sendiri.",
        "This account is not registered to your NIK. Incentives are paid only to your own account.",
    ),
    "PHONE_MISMATCH": (
        "Nomor dompet digital harus nomor ponsel yang terdaftar di akun Prakerja Anda.",
        "The e-wallet number must be the mobile number registered to your Prakerja account.",
    ),
    "GATEWAY_UNAVAILABLE": (
        "Layanan bank sedang tidak dapat dihubungi. Coba lagi beberapa saat lagi.",
        "The banking service cannot be reached right now. Please try again shortly.",
    ),
    "PAYOUT_IN_FLIGHT": (
        "Insentif sedang dalam proses pembayaran; rekening dapat diubah setelah selesai.",
        "An incentive payment is in progress; the account can be changed once it finishes.",
    ),
    "NOTHING_DUE": ("Tidak ada insentif yang siap dibayar.", "No incentive is due for payment."),
    "DISBURSEMENT_BATCH_NOT_FOUND": ("Batch pencairan tidak ditemukan.", "Disbursement batch not found."),
    "SELF_APPROVAL": (
        "Batch pencairan harus disetujui petugas lain, bukan pembuatnya.",
        "A disbursement batch must be approved by an officer other than the one who prepared it.",
    ),
    "BATCH_NOT_AWAITING_APPROVAL": (
        "Batch pencairan ini tidak sedang menunggu persetujuan.",
        "This disbursement batch is not awaiting approval.",
    ),
    "STATEMENT_INVALID": (
        "Berkas laporan bank tidak dapat dibaca (baris {line}): {detail}",
        "The bank statement file cannot be read (line {line}): {detail}",
    ),
    "MISMATCH_NOT_FOUND": ("Selisih rekonsiliasi tidak ditemukan.", "Reconciliation mismatch not found."),
    "MISMATCH_RESOLVED": ("Selisih ini sudah diselesaikan.", "This mismatch is already resolved."),
    "RESOLUTION_REQUIRED": (
        "Tuliskan penyelesaiannya (paling sedikit 10 karakter).",
        "Describe the resolution (at least 10 characters).",
    ),
    "CLAWBACK_EXISTS": (
        "Pengembalian dana untuk orang ini sudah dicatat.",
        "A recovery has already been recorded for this person.",
    ),
    "REASON_REQUIRED": ("Alasan wajib diisi.", "A reason is required."),
    "PERSON_NOT_FOUND": ("Peserta tidak ditemukan.", "Participant not found."),
}

MESSAGES.update(LEDGER_MESSAGES)
MESSAGES.update(PAYOUT_MESSAGES)
