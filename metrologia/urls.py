from django.urls import path

from metrologia import api

app_name = "metrologia"

urlpatterns = [
    path("completar", api.completar, name="completar"),
    path("batch-completar", api.batch_completar, name="batch-completar"),
]
