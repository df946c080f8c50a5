from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path

from zeues import views

api_patterns: list[URLPattern | URLResolver] = [
    path("occupation/", include("occupation.urls")),
    path("", include("spools.urls")),
    path("health", views.health, name="health"),
    re_path(r"^(?P<rest>.*)$", views.api_not_found),
]

urlpatterns = [
    path("", views.index, name="index"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
]
