"""Data: the banks and e-wallets incentives are paid to (a settings table; the program office edits it in the admin)."""

from django.db import migrations

# code, name, channel, pattern over the digits, hint shown to participants
PROVIDERS = [
    ("bca", "BCA", "bank", r"\d{10}", "10 digit"),
    ("bni", "BNI", "bank", r"\d{10}", "10 digit"),
    ("bri", "BRI", "bank", r"\d{15}", "15 digit"),
    ("mandiri", "Bank Mandiri", "bank", r"\d{13}", "13 digit"),
    ("bsi", "BSI (Bank Syariah Indonesia)", "bank", r"\d{10}", "10 digit"),
    ("btn", "BTN", "bank", r"\d{16}", "16 digit"),
    ("cimb", "CIMB Niaga", "bank", r"\d{12,14}", "12–14 digit"),
    ("ovo", "OVO", "ewallet", r"08\d{7,12}", "nomor ponsel 08…"),
    ("gopay", "GoPay", "ewallet", r"08\d{7,12}", "nomor ponsel 08…"),
    ("dana", "DANA", "ewallet", r"08\d{7,12}", "nomor ponsel 08…"),
    ("linkaja", "LinkAja", "ewallet", r"08\d{7,12}", "nomor ponsel 08…"),
    ("shopeepay", "ShopeePay", "ewallet", r"08\d{7,12}", "nomor ponsel 08…"),
]


def add(apps, schema_editor):
    PayoutProvider = apps.get_model("payments", "PayoutProvider")
    for code, name, channel, pattern, hint in PROVIDERS:
        PayoutProvider.objects.update_or_create(
            code=code, defaults={"name": name, "channel": channel, "number_pattern": pattern, "number_hint": hint}
        )


def remove(apps, schema_editor):
    apps.get_model("payments", "PayoutProvider").objects.filter(code__in=[p[0] for p in PROVIDERS]).delete()


class Migration(migrations.Migration):
    dependencies = [("payments", "0004_incentives_and_disbursement")]
    operations = [migrations.RunPython(add, remove)]
