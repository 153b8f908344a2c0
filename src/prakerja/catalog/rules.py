"""Pure rules of the catalog: what makes a program, a class and a schedule acceptable, and when
enrollment closes. Plain values in, reason codes out (see core/errors)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from prakerja.core.clock import JAKARTA
from prakerja.core.errors import Problem

CATEGORIES: dict[str, tuple[str, str]] = {
    "digital": ("Teknologi dan digital", "Technology and digital"),
    "sales_marketing": ("Penjualan dan pemasaran", "Sales and marketing"),
    "food_beverage": ("Makanan dan minuman", "Food and beverage"),
    "hospitality": ("Pariwisata dan perhotelan", "Tourism and hospitality"),
    "manufacturing": ("Manufaktur dan teknik", "Manufacturing and engineering"),
    "automotive": ("Otomotif", "Automotive"),
    "agriculture": ("Pertanian dan perikanan", "Agriculture and fisheries"),
    "fashion_beauty": ("Busana dan kecantikan", "Fashion and beauty"),
    "office": ("Administrasi perkantoran", "Office administration"),
    "language": ("Bahasa asing", "Foreign languages"),
    "entrepreneurship": ("Kewirausahaan", "Entrepreneurship"),
    "construction": ("Konstruksi", "Construction"),
    "health_care": ("Perawatan dan kesehatan", "Care and health"),
}

FACE_TO_FACE = ("offline", "blended")
MAX_HOURS = 2_000  # a year of full-time training; also keeps the number inside its column
MODES = ("offline", "blended", "webinar", "self_paced")


@dataclass(frozen=True)
class Limits:
    min_hours: int
    max_price: int
    offline_max: int
    offline_min_trainers: int
    online_max: int
    close_days_online: int
    close_days_offline: int


def program_problems(
    *, category: str, mode: str, hours: int, price: int, district_code: str | None, limits: Limits
) -> list[Problem]:
    problems = []
    if category not in CATEGORIES:
        problems.append(Problem("CATEGORY_UNKNOWN", "category"))
    if mode not in MODES:
        problems.append(Problem("MODE_UNKNOWN", "mode"))
    if hours < limits.min_hours:
        problems.append(Problem("HOURS_TOO_FEW", "hours", {"min": limits.min_hours}))
    elif hours > MAX_HOURS:
        problems.append(Problem("HOURS_TOO_MANY", "hours", {"max": MAX_HOURS}))
    if price <= 0 or price > limits.max_price:
        problems.append(Problem("PRICE_ABOVE_BALANCE", "price", {"max": f"Rp {limits.max_price:,}".replace(",", ".")}))
    if mode in FACE_TO_FACE and not district_code:
        problems.append(Problem("VENUE_DISTRICT_REQUIRED", "district_code"))
    return problems


def class_problems(
    *,
    mode: str,
    capacity: int,
    trainers: int,
    venue_capacity: int | None,
    sessions: Sequence[tuple[dt.datetime, dt.datetime]],
    program_hours: int,
    now: dt.datetime,
    limits: Limits,
) -> list[Problem]:
    """Delivery standards: offline at most 40 participants and at least 2 trainers; online at
    most 150. Blended classes meet face to face, so they follow the offline standard."""
    problems = []
    face_to_face = mode in FACE_TO_FACE
    maximum = limits.offline_max if face_to_face else limits.online_max
    if capacity < 1 or capacity > maximum:
        problems.append(Problem("CAPACITY_ABOVE_LIMIT", "capacity", {"mode": mode, "max": maximum}))
    if face_to_face:
        if venue_capacity is None:
            problems.append(Problem("VENUE_REQUIRED", "venue"))
        elif capacity > venue_capacity:
            problems.append(Problem("CAPACITY_ABOVE_VENUE", "capacity", {"max": venue_capacity}))
        if trainers < limits.offline_min_trainers:
            problems.append(Problem("TRAINERS_TOO_FEW", "trainers", {"min": limits.offline_min_trainers}))
    elif trainers < 1 and mode == "webinar":  # a live online class has its trainer
        problems.append(Problem("TRAINERS_REQUIRED", "trainers"))
    if not sessions:
        problems.append(Problem("SESSIONS_REQUIRED", "sessions"))
        return problems
    previous_end = None
    for start, end in sessions:
        if end <= start or (previous_end is not None and start < previous_end):
            problems.append(Problem("SESSION_TIMES_INVALID", "sessions"))
            return problems
        previous_end = end
    if sessions[0][0] <= now:
        problems.append(Problem("CLASS_IN_PAST", "sessions"))
    # Self-paced classes are studied at one's own pace: their sessions mark access, not hours.
    if mode != "self_paced":
        seconds = sum((end - start).total_seconds() for start, end in sessions)
        have = int(seconds // 3600)
        if seconds < program_hours * 3600:
            problems.append(Problem("SESSIONS_TOO_SHORT", "sessions", {"have": have, "need": program_hours}))
    return problems


def enrollment_closes_at(mode: str, starts_at: dt.datetime, limits: Limits) -> dt.datetime:
    """Enrollment closes at the start (00:00, Asia/Jakarta) of the day one day (online) or two
    days (offline and blended) before the class starts: from D-1 (D-2) on, it cannot be bought."""
    days = limits.close_days_offline if mode in FACE_TO_FACE else limits.close_days_online
    day = starts_at.astimezone(JAKARTA).date() - dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=JAKARTA)


def rating_x100(rating_sum: int, rating_count: int) -> int:
    return round(rating_sum * 100 / rating_count) if rating_count else 0


def qualification_gaps(
    *, licence_number: str, district: bool, certified_trainers: int, venues: int, offers_face_to_face: bool
) -> list[str]:
    """What an institution still lacks to be qualified — the list regional governments work
    through with their BLK and LPK."""
    gaps = []
    if not licence_number:
        gaps.append("LICENCE_MISSING")
    if not district:
        gaps.append("ADDRESS_MISSING")
    if certified_trainers == 0:
        gaps.append("NO_CERTIFIED_TRAINER")
    if offers_face_to_face and venues == 0:
        gaps.append("NO_VENUE")
    return gaps
