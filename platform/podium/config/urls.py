from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from podium.web.forms import AdminLoginForm

admin.site.site_header = "Podium administration"
admin.site.site_title = "Podium"
admin.site.index_title = "Competitions, teams and submissions"
admin.site.login_form = AdminLoginForm  # the sign-in guessing limits (podium.accounts.guards)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("podium.kaggle_compat.urls")),  # the kaggle CLI: Service/Method
    path("api/", include("podium.api.urls")),
    path("", include("podium.ops.urls")),  # /healthz, /readyz, /metrics
    path("", include("podium.web.urls")),
]

handler404 = "podium.api.exceptions.not_found"  # JSON under /api/, the page elsewhere
handler500 = "podium.api.exceptions.server_error"

if settings.SERVE_STATIC:  # the collected files, served by gunicorn itself (see settings)
    urlpatterns += [
        re_path(
            rf"^{settings.STATIC_URL.strip('/')}/(?P<path>.*)$",
            serve,
            {"document_root": settings.STATIC_ROOT},
        ),
    ]

if settings.DEBUG:  # pragma: no cover - production serves media through storage URLs
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
