from django.urls import path

from spools import api

app_name = "spools"

urlpatterns = [
    path("workers", api.workers, name="workers"),
    path("defectos", api.defectos, name="defectos"),
    path("spools/<path:tag>", api.spool_detail, name="detail"),
]
