from django.urls import path

from spools import api

app_name = "spools"

urlpatterns = [
    path("workers", api.workers, name="workers"),
    path("spools/<path:tag>", api.spool_detail, name="detail"),
]
