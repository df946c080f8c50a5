from django.urls import path

from metrologia import views

app_name = "metrologia"

urlpatterns = [
    path("completar", views.completar, name="completar"),
    path("batch-completar", views.batch_completar, name="batch-completar"),
]
