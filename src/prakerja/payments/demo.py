"""Demo accounts at the simulated banks: ``make run`` starts the gateway simulator with this book,
so a demo participant can name a bank account or e-wallet and see the ownership check pass or fail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings

# (resident NIK, provider, account number); the holder is the resident. Budi also has an e-wallet.
DEMO_ACCOUNTS = (
    ("3174071708950003", "bca", "8720012345"),
    ("3174071708950003", "gopay", "081100000002"),
    ("3273014107990002", "bri", "002101000123456"),
    ("3578012512880005", "mandiri", "1370012345678"),
    ("7371015003010001", "bni", "0123456789"),
)


def gateway_book(residents: Any, phones: dict[str, str]) -> list[dict[str, Any]]:
    """The simulator's account book for the demo residents (``phones``: NIK -> the login's phone)."""
    names = {r.nik: r.name for r in residents}
    book = []
    for nik, provider, number in DEMO_ACCOUNTS:
        account = {"provider": provider, "account_number": number, "holder_name": names[nik].upper(), "holder_nik": nik}
        if nik in phones:
            account["phone"] = phones[nik]
        book.append(account)
    return book


def write_gateway_book(residents: Any, phones: dict[str, str]) -> Path:
    path = Path(settings.VAR_DIR) / "gateway-book.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(gateway_book(residents, phones), indent=2) + "\n")
    return path
