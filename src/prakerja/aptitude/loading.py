"""Loading the question bank shipped in ``data/questions.json`` (idempotent)."""

from __future__ import annotations

import json
from pathlib import Path

from prakerja.aptitude.models import Question

DATA = Path(__file__).parent / "data" / "questions.json"


def load_questions() -> int:
    rows = json.loads(DATA.read_text(encoding="utf-8"))
    Question.objects.bulk_create(
        [
            Question(code=r["code"], section=r["section"], text=r["text"], choices=r["choices"], answer=r["answer"])
            for r in rows
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["section", "text", "choices", "answer"],
    )
    return len(rows)
