from django.apps import AppConfig


class ReparacionConfig(AppConfig):
    name = "reparacion"
    verbose_name = "Reparación"
