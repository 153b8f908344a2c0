"""Pages of this app (full paths; included at the site root)."""

from django.urls import path

from prakerja.reports import outreach_views, views

urlpatterns: list = [
    path("pemantauan/", views.dashboard, name="dashboard"),
    path("pemantauan/ekspor.csv", views.export, name="export"),
    path("pemantauan/segarkan", views.refresh, name="refresh"),
    path("pemantauan/perencanaan/", views.planning_sheet, name="planning"),
    path("pemantauan/perencanaan/ekspor", views.planning_export, name="planning-export"),
    path("pemantauan/apbd/", views.regional_budget, name="apbd"),
    path("data-terbuka/", views.open_data, name="open-data"),
    path("program/", outreach_views.program_page, name="program"),
    path("pmo/pengumuman/", outreach_views.announcements_desk, name="announcements"),
]
