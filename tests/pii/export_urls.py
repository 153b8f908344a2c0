"""The site's URLs plus the participant's personal-data download (``registry:data-export``), for tests
until the site's urls.py lists it."""

from django.urls import include, path

from prakerja import urls as site
from prakerja.registry import views

registry_patterns = (
    [*site.registry_patterns[0], path("data-saya/", views.data_export, name="data-export")],
    "registry",
)
urlpatterns = [
    path("peserta/", include(registry_patterns)),
    *(p for p in site.urlpatterns if getattr(p, "namespace", None) != "registry"),
]


class WithoutExport:
    """The site's URLs without the download (``ROOT_URLCONF`` accepts a module-like object)."""

    urlpatterns = [
        path(
            "peserta/",
            include(([p for p in registry_patterns[0] if getattr(p, "name", "") != "data-export"], "registry")),
        ),
        *(p for p in site.urlpatterns if getattr(p, "namespace", None) != "registry"),
    ]
