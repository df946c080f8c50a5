from django.urls import path

from spools import views

app_name = "spools"

urlpatterns = [
    path("workers", views.workers, name="workers"),
    path("spools/iniciar", views.iniciar, name="iniciar"),
    path("spools/ocupados", views.ocupados, name="ocupados"),
    path("spools/<path:tag>", views.spool_detail, name="detail"),
]
