"""Pages of this app (full paths; included at the site root)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
