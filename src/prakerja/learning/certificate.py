"""The completion certificate: a one-page PDF with a QR code to its public verification page.

The verification page (and so the QR code) shows only what verifying needs: the number, the
participant's name partly hidden, the program, the institution, the hours and the date.
"""

from __future__ import annotations

import io

import segno
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from prakerja.core.clock import JAKARTA
from prakerja.learning.models import Certificate


def masked_name(name: str) -> str:
    """'Siti Rahayu' -> 'S*** R***', 'Sukarno' -> 'S***': initials, enough to match the person in
    front of you, not to find one (many Indonesians have a single name; lengths are not shown)."""
    return " ".join(part[0] + "***" for part in name.split())


def facts(certificate: Certificate) -> dict[str, str]:
    purchase = certificate.purchase
    program = purchase.training_class.program
    return {
        "number": certificate.number,
        "participant": masked_name(purchase.person.full_name),
        "program": program.title,
        "institution": program.institution.legal_name,
        "hours": str(program.hours),
        "mode": program.get_mode_display(),
        "completed": certificate.issued_at.astimezone(JAKARTA).strftime("%d-%m-%Y"),
    }


def pdf(certificate: Certificate, verify_url: str) -> bytes:
    purchase = certificate.purchase
    program = purchase.training_class.program
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=landscape(A4))
    page.setTitle(f"Sertifikat {certificate.number}")
    width, height = landscape(A4)
    page.setFont("Helvetica-Bold", 28)
    page.drawCentredString(width / 2, height - 40 * mm, "SERTIFIKAT PELATIHAN")
    page.setFont("Helvetica", 12)
    page.drawCentredString(width / 2, height - 48 * mm, "Certificate of completion · Program Kartu Prakerja")
    page.setFont("Helvetica", 14)
    page.drawCentredString(width / 2, height - 70 * mm, "diberikan kepada / awarded to")
    page.setFont("Helvetica-Bold", 22)
    page.drawCentredString(width / 2, height - 82 * mm, purchase.person.full_name)
    page.setFont("Helvetica", 14)
    page.drawCentredString(width / 2, height - 96 * mm, "telah menyelesaikan pelatihan / has completed")
    page.setFont("Helvetica-Bold", 16)
    page.drawCentredString(width / 2, height - 106 * mm, program.title)
    page.setFont("Helvetica", 12)
    when = certificate.issued_at.astimezone(JAKARTA).strftime("%d-%m-%Y")
    page.drawCentredString(
        width / 2, height - 116 * mm, f"{program.institution.legal_name} · {program.hours} jam · {when}"
    )
    page.setFont("Helvetica", 10)
    page.drawString(20 * mm, 20 * mm, f"Nomor / Number: {certificate.number}")
    page.drawString(20 * mm, 14 * mm, f"Verifikasi / Verify: {verify_url}")
    qr = io.BytesIO()
    segno.make(verify_url, error="m").save(qr, kind="png", scale=6, border=2)
    qr.seek(0)
    page.drawImage(ImageReader(qr), width - 60 * mm, 12 * mm, 40 * mm, 40 * mm)
    page.showPage()
    page.save()
    return buffer.getvalue()
