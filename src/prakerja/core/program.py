"""Program settings: every number of the program's rules, editable and versioned.

Code asks ``setting("min_age")``; the value is the newest
:class:`ProgramSettingVersion` for the key, or the default below when the
program office has never changed it.
"""

from __future__ import annotations

import time
from typing import Any

DEFAULTS: dict[str, Any] = {
    "min_age": 18,
    "max_age": 64,
    "kk_recipient_cap": 2,
    "training_balance": 3_500_000,
    # Selection priority: laid off or unemployed first, then never trained before, then the rest.
    "selection_tiers": [{"employment_status": ["unemployed", "laid_off"]}, {"prior_training": [False]}],
    "first_purchase_days": 15,
    "excluded_occupations": [
        "state_official",
        "dprd_member",
        "civil_servant",
        "military",
        "police",
        "village_head",
        "village_official",
        "soe_director",
    ],
    # Training marketplace
    "min_training_hours": 15,
    "offline_class_max": 40,
    "offline_min_trainers": 2,
    "online_class_max": 150,
    "enrollment_close_days_online": 1,
    "enrollment_close_days_offline": 2,
    "redeem_minutes_before": 60,
    "redeem_minutes_after": 60,
    "next_purchase_days": 15,
    # When the price held for a purchase moves to the institution: "completion" or "first_session".
    "settlement_rule": "completion",
    "signature_tolerance_seconds": 300,
    "sign_key_grace_hours": 24,
    # Incentives and their disbursement
    "training_incentive": 600_000,
    "survey_incentive": 50_000,
    "survey_days": [30, 90],  # days after the first training's completion; one survey incentive each
    "payout_retry_seconds": 60,  # first wait before resending after a gateway error; doubles each time
    "payout_retry_max_seconds": 3600,
    "payout_poll_seconds": 120,  # how long a sent payout waits for its callback before the gateway is asked
    "payout_max_attempts": 8,  # after this many sends without an answer, finance is shown the payout (it keeps trying)
    # Complaints: hours to answer per category (the SLA clock), then what happens after resolution.
    "complaint_sla_hours": {
        "registration": 72,
        "ktp_upload": 72,
        "nik_registered": 120,
        "account_blocked": 48,
        "training": 120,
        "payment": 72,
        "other": 120,
    },
    "complaint_auto_close_days": 7,
    "complaint_reopen_days": 7,
    "complaint_escalation_hours": 24,
    "complaint_due_soon_hours": 24,
    # Basic aptitude test (TKD)
    "tkd_minutes": 40,
    "tkd_grace_seconds": 120,
    "tkd_questions_verbal": 10,
    "tkd_questions_quantitative": 10,
    "tkd_period": "year",  # one attempt per: year | half | quarter | month
    # Accounts
    "otp_ttl_minutes": 10,
    "otp_max_attempts": 5,
    "otp_resend_seconds": 60,
    "otp_daily_max": 6,
    "email_token_ttl_hours": 72,
    "declaration_version": "2024.1",
}


# Every changed setting's newest value, read in one query and kept for a few seconds: a partner
# request reads half a dozen settings, and on a busy server each query is a round trip.
# A change made in this process is seen at once; other processes see it within CACHE_SECONDS.
CACHE_SECONDS = 5.0
_cache: dict[str, Any] = {}
_cached_at = -CACHE_SECONDS


def _changed() -> dict[str, Any]:
    global _cache, _cached_at
    from prakerja.core.models import ProgramSettingVersion

    if time.monotonic() - _cached_at >= CACHE_SECONDS:
        newest: dict[str, Any] = {}
        for key, value in ProgramSettingVersion.objects.order_by("id").values_list("key", "value"):
            newest[key] = value
        _cache, _cached_at = newest, time.monotonic()
    return _cache


def forget_cached() -> None:
    """Read the settings afresh next time (after a change, and between tests)."""
    global _cached_at
    _cached_at = -CACHE_SECONDS


def setting(key: str) -> Any:
    changed = _changed()
    if key in changed:
        return changed[key]
    return DEFAULTS[key]


def change_setting(key: str, value: Any, *, by: Any = None, note: str = "") -> None:
    from prakerja.core.models import ProgramSettingVersion

    if key not in DEFAULTS:
        raise KeyError(key)
    from django.db import transaction

    ProgramSettingVersion.objects.create(key=key, value=value, changed_by=by, note=note)
    forget_cached()
    transaction.on_commit(forget_cached)
