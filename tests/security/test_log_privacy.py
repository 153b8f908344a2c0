"""No personal data in logs: what code logs by mistake is masked before it is written."""

from __future__ import annotations

import io
import logging

from prakerja.core.log_privacy import PersonalDataFilter, scrub


def test_scrub_masks_nik_email_and_phone_but_keeps_the_rest():
    line = "lookup 3174051203900001 for budi.santoso@contoh.id +6281234567890 / 081234567890 batch 12 took 35 ms"
    assert scrub(line) == "lookup 3174********0001 for [email] [phone] / [phone] batch 12 took 35 ms"


def test_a_logger_with_the_filter_never_writes_the_values():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PersonalDataFilter())
    logger = logging.getLogger("prakerja.test.privacy")
    logger.addHandler(handler)
    try:
        logger.warning("NIK %s rejected for %s", "3174051203900001", "siti@contoh.id")
        try:
            raise ValueError("bad KK 3174012345678901")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "3174051203900001" not in written and "siti@contoh.id" not in written
    assert "3174012345678901" not in written and "3174********8901" in written
