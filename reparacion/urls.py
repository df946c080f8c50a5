from django.urls import path

from reparacion import api

app_name = "reparacion"

urlpatterns = [
    path("tomar", api.tomar, name="tomar"),
    path("pausar", api.pausar, name="pausar"),
    path("completar", api.completar, name="completar"),
    path("cancelar", api.cancelar, name="cancelar"),
]
