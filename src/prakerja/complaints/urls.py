"""Pages of this app (full paths; included at the site root under the namespace ``complaints``)."""

from django.urls import path

from prakerja.complaints import views

urlpatterns = [
    path("pengaduan/", views.home, name="home"),
    path("pengaduan/baru/", views.new, name="new"),
    path("pengaduan/saya/", views.mine, name="mine"),
    path("pengaduan/lacak/", views.lookup, name="lookup"),
    path("pengaduan/tiket/<uuid:public_id>/", views.ticket, name="ticket"),
    path("pengaduan/tiket/<uuid:public_id>/konfirmasi/", views.confirm, name="confirm"),
    path("pengaduan/tiket/<uuid:public_id>/buka-kembali/", views.reopen, name="reopen"),
    path("pengaduan/lampiran/<uuid:public_id>/", views.attachment, name="attachment"),
    path("pmo/pengaduan/", views.dashboard, name="staff-list"),
    path("pmo/pengaduan/<uuid:public_id>/", views.staff_detail, name="staff-detail"),
    path("pmo/pengaduan/<uuid:public_id>/tugaskan/", views.staff_assign, name="staff-assign"),
    path("pmo/pengaduan/<uuid:public_id>/balas/", views.staff_reply, name="staff-reply"),
    path("pmo/pengaduan/<uuid:public_id>/catatan/", views.staff_note, name="staff-note"),
    path("pmo/pengaduan/<uuid:public_id>/eskalasi/", views.staff_escalate, name="staff-escalate"),
    path("pmo/pengaduan/<uuid:public_id>/selesai/", views.staff_resolve, name="staff-resolve"),
    path("pmo/pengaduan/<uuid:public_id>/tutup/", views.staff_close, name="staff-close"),
]
