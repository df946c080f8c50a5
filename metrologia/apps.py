from django.apps import AppConfig


class MetrologiaConfig(AppConfig):
    name = "metrologia"
    verbose_name = "Metrología"
