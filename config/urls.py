from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.language import set_language_link
from web.views_board import home

api_v1 = [
    path("", include("web.api_urls_campaigns")),
    path("", include("web.api_urls_board")),
    path("", include("regime.api_urls")),
    path("", include("results.api_urls")),
]

urlpatterns = [
    path("", home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),  # kept: Django's POST set_language, for old links
    path("lang/<str:code>/", set_language_link, name="set_language_link"),
    path("admin/", admin.site.urls),
    path("accounts/", include("web.auth_urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("web.urls_board")),
    path("", include("web.urls_campaigns")),
    path("", include("regime.urls")),
    path("", include("results.urls")),
]

handler400 = "core.views.bad_request"  # every 400 in the visitor's language
