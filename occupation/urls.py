from django.urls import path

from occupation import api

app_name = "occupation"

urlpatterns = [
    path("tomar", api.tomar, name="tomar"),
    path("pausar", api.pausar, name="pausar"),
    path("completar", api.completar, name="completar"),
    path("finalizar", api.finalizar, name="finalizar"),
    path("batch-tomar", api.batch_tomar, name="batch-tomar"),
    path("batch-pausar", api.batch_pausar, name="batch-pausar"),
    path("batch-completar", api.batch_completar, name="batch-completar"),
]
