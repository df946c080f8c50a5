from django.urls import path

from occupation import views

app_name = "occupation"

urlpatterns = [
    path("tomar", views.tomar, name="tomar"),
    path("pausar", views.pausar, name="pausar"),
    path("completar", views.completar, name="completar"),
    path("batch-tomar", views.batch_tomar, name="batch-tomar"),
    path("batch-pausar", views.batch_pausar, name="batch-pausar"),
    path("batch-completar", views.batch_completar, name="batch-completar"),
]
