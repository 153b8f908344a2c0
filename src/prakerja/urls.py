from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from prakerja.accounts import views as account_views
from prakerja.accounts.forms import QueuedPasswordResetForm
from prakerja.api import api
from prakerja.aptitude import views as aptitude_views
from prakerja.batches import views as batch_views
from prakerja.catalog import views as catalog_views
from prakerja.core import audit_views
from prakerja.core import views as core_views
from prakerja.learning import views as learning_views
from prakerja.ops import views as ops_views
from prakerja.payments import views as payment_views
from prakerja.registry import views as registry_views
from prakerja.surveys import views as survey_views

accounts_patterns = (
    [
        path("daftar/", account_views.register, name="register"),
        path("masuk/", account_views.log_in, name="login"),
        path("keluar/", account_views.log_out, name="logout"),
        path("verifikasi/", account_views.verify, name="verify"),
        path("verifikasi-email/<str:token>/", account_views.verify_email_link, name="verify-email"),
        path("dua-faktor/", account_views.two_factor_page, name="two-factor"),
    ],
    "accounts",
)

registry_patterns = (
    [
        path("identitas/", registry_views.identity, name="identity"),
        path("profil/", registry_views.profile, name="profile"),
        path("pernyataan/", registry_views.declaration_page, name="declaration"),
        path("data-saya/", registry_views.data_export, name="data-export"),
    ],
    "registry",
)

aptitude_patterns = ([path("", aptitude_views.test, name="test")], "aptitude")

batch_patterns = (
    [
        path("", batch_views.batch_list, name="list"),
        path("<int:number>/gabung/", batch_views.join, name="join"),
        path("<int:number>/hasil/", batch_views.my_result, name="result"),
    ],
    "batches",
)

pmo_patterns = (
    [
        path("gelombang/", batch_views.pmo_list, name="batches"),
        path("gelombang/<int:number>/", batch_views.pmo_batch, name="batch"),
        path("gelombang/<int:number>/ekspor.csv", batch_views.pmo_export, name="export"),
        path("kurasi/", catalog_views.curation, name="curation"),
        path("kurasi/<uuid:program_id>/", catalog_views.curate, name="curate"),
        path("cakupan/", catalog_views.coverage_page, name="coverage"),
        path("pembelian/", catalog_views.purchase_desk, name="purchases"),
        path("pencairan/", payment_views.batches, name="disbursements"),
        path("pencairan/<uuid:batch_id>/", payment_views.batch_detail, name="disbursement"),
        path("rekonsiliasi/", payment_views.reconciliation_page, name="reconciliation"),
    ],
    "pmo",
)

catalog_patterns = (
    [
        path("", catalog_views.catalog_list, name="list"),
        path("<uuid:program_id>/", catalog_views.program_detail, name="detail"),
    ],
    "catalog",
)

learning_patterns = (
    [
        path("kelas/<str:code>/beli/", learning_views.buy, name="buy"),
        path("saya/", learning_views.mine, name="mine"),
        path("saya/<uuid:purchase_id>/ulasan/", learning_views.review, name="review"),
    ],
    "learning",
)

portal_patterns = (
    [
        path("", catalog_views.portal, name="home"),
        path("program/", catalog_views.portal_program, name="program"),
        path("kelas/", catalog_views.portal_class, name="class"),
        path("kelas/<str:code>/batal/", catalog_views.portal_cancel_class, name="cancel-class"),
        path("pelatih/", catalog_views.portal_trainer, name="trainer"),
        path("tempat/", catalog_views.portal_venue, name="venue"),
        path("penyelesaian/", catalog_views.portal_completion, name="completion"),
        path("laporan/", catalog_views.portal_statement, name="statement"),
    ],
    "portal",
)

password_reset = [
    path(
        "lupa-sandi/",
        auth_views.PasswordResetView.as_view(
            form_class=QueuedPasswordResetForm,  # the email leaves through the task queue
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path("lupa-sandi/terkirim/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "atur-sandi/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("atur-sandi/selesai/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

urlpatterns = [
    # The JSON API first: its calls are the most frequent, and resolving them after the pages meant trying
    # every page pattern (the includes mounted at "" entirely) first. No page pattern starts with "api/".
    path("api/v1/", api.urls),
    path("", registry_views.home, name="home"),
    path("health/", core_views.health, name="health"),
    # Probes and metrics (ops.views); ops.middleware answers them ahead of the other middleware.
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("metrics", ops_views.metrics, name="metrics"),
    path("dasbor/", registry_views.dashboard, name="dashboard"),
    path("petugas/", account_views.staff_home, name="staff-home"),
    path("insentif/", include(([path("", payment_views.incentives, name="incentives")], "payments"))),
    path("survei/", include(([path("<uuid:survey_id>/", survey_views.answer, name="answer")], "surveys"))),
    path("akun/", include(accounts_patterns)),
    path("akun/", include(password_reset)),
    path("peserta/", include(registry_patterns)),
    path("tes/", include(aptitude_patterns)),
    path("gelombang/", include(batch_patterns)),
    path("pmo/", include(pmo_patterns)),
    path("pelatihan/", include(catalog_patterns)),
    path("pelatihan/", include(learning_patterns)),
    path("lembaga/", include(portal_patterns)),
    path("wilayah/lembaga/", catalog_views.regional_institutions, name="regional-institutions"),
    path("sertifikat/<str:token>/", learning_views.verify, name="certificate-verify"),
    path("sertifikat/<str:token>/pdf/", learning_views.certificate_pdf, name="certificate-pdf"),
    path("", include(("prakerja.complaints.urls", "complaints"))),
    path("", include(("prakerja.helpdesk.urls", "helpdesk"))),
    path("", include(("prakerja.reports.urls", "reports"))),
    path(
        "audit/",
        include(
            (
                [
                    path("", audit_views.search, name="search"),
                    path("ekspor.csv", audit_views.export, name="export"),
                ],
                "audit",
            )
        ),
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
