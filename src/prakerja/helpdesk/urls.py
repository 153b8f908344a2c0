"""Pages of this app (full paths; included at the site root under the namespace ``helpdesk``)."""

from django.urls import path

from prakerja.helpdesk import views

urlpatterns = [
    # Public: the directory of help desks, and the resident's set-password link.
    path("layanan/", views.directory, name="directory"),
    path("akun/aktivasi/<uuid:rid>/<str:token>/", views.activate, name="activate"),
    # Regional officers (the program office may look).
    path("wilayah/layanan/", views.desk_home, name="desk-home"),
    path("wilayah/layanan/daftar/baru/", views.start, name="start"),
    path("wilayah/layanan/daftar/<uuid:rid>/", views.registration_page, name="registration"),
    path("wilayah/layanan/daftar/<uuid:rid>/tindakan/", views.registration_action, name="registration-action"),
    path("wilayah/layanan/daftar/<uuid:rid>/akun/", views.account, name="account"),
    path("wilayah/layanan/daftar/<uuid:rid>/kontak/", views.contacts, name="contacts"),
    path("wilayah/layanan/daftar/<uuid:rid>/identitas/", views.identity, name="identity"),
    path("wilayah/layanan/daftar/<uuid:rid>/foto/", views.photo, name="photo"),
    path("wilayah/layanan/daftar/<uuid:rid>/foto/unggah/", views.upload_photo, name="photo-upload"),
    path("wilayah/layanan/daftar/<uuid:rid>/foto/hapus/", views.discard_photo, name="photo-discard"),
    path("wilayah/layanan/daftar/<uuid:rid>/profil/", views.profile, name="profile"),
    path("wilayah/layanan/meja/", views.desks, name="desks"),
    path("wilayah/layanan/meja/baru/", views.desk_edit, name="desk-new"),
    path("wilayah/layanan/meja/<uuid:desk_id>/", views.desk_edit, name="desk-edit"),
    path("wilayah/layanan/laporan/", views.report, name="report"),
    path("wilayah/layanan/laporan.csv", views.report_csv, name="report-csv"),
]
