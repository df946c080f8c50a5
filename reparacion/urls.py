from django.urls import path

from reparacion import views

app_name = "reparacion"

urlpatterns = [
    path("tomar", views.tomar, name="tomar"),
    path("pausar", views.pausar, name="pausar"),
    path("completar", views.completar, name="completar"),
    path("cancelar", views.cancelar, name="cancelar"),
]
