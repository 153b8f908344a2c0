"""Roles and duties: which duties each role holds (pure; no database).

A *duty* is one kind of work the platform guards (curating programs, running a
selection, preparing or approving payouts, answering complaints, reading the
audit trail…). Pages and endpoints ask for a duty, never for a role, so a new
role is one line here. Region scope is separate: a regional officer holds the
regional duties only inside their province or regency/city (``core.access``).
"""

from __future__ import annotations

CURATION = "curation"  # review and approve training programs
SELECTION = "selection"  # batches, selection, announcements, exports of applications
FINANCE_MAKER = "finance_maker"  # prepare disbursement batches, clawbacks, reconciliation
FINANCE_CHECKER = "finance_checker"  # approve disbursement batches, resolve mismatches
SUPPORT = "support"  # complaints, purchase desk (cancel a purchase on a participant's behalf)
AGGREGATES = "aggregates"  # dashboards and figures, never a person's data
REGIONAL = "regional"  # the regional pages and help desk, scoped to the officer's area
AUDIT = "audit"  # read the audit trail
PORTAL = "portal"  # a training institution's or digital platform's own portal

PMO_DUTIES = frozenset({CURATION, SELECTION, FINANCE_MAKER, FINANCE_CHECKER, SUPPORT, AGGREGATES})

DUTIES: dict[str, frozenset[str]] = {
    "participant": frozenset(),
    "institution": frozenset({PORTAL}),
    "platform": frozenset({PORTAL}),
    "pmo": PMO_DUTIES,
    "pmo_curation": frozenset({CURATION, AGGREGATES}),
    "pmo_selection": frozenset({SELECTION, AGGREGATES}),
    "pmo_finance_maker": frozenset({FINANCE_MAKER, AGGREGATES}),
    "pmo_finance_checker": frozenset({FINANCE_CHECKER, AGGREGATES}),
    "pmo_support": frozenset({SUPPORT}),
    "regional": frozenset({REGIONAL, AGGREGATES}),
    "ministry": frozenset({AGGREGATES}),
    "auditor": frozenset({AUDIT}),
}

# Roles whose holders see a full NIK or KK number when their work needs it (each view is audited).
# Everyone else sees them masked.
SEES_FULL_IDENTITY = frozenset({"pmo", "pmo_selection", "pmo_support"})

STAFF_ROLES = frozenset(DUTIES) - {"participant"}


def duties_of(role: str, *, superuser: bool = False) -> frozenset[str]:
    """The duties a role holds; a superuser (the platform's operator) holds every PMO duty and audit."""
    if superuser:
        return PMO_DUTIES | {AUDIT}
    return DUTIES.get(role, frozenset())


def is_staff_role(role: str) -> bool:
    """Staff log in on the web with two factors; only participants get API bearer tokens."""
    return role in STAFF_ROLES
