from django.apps import AppConfig


class SpoolsConfig(AppConfig):
    name = "spools"
    verbose_name = "Spools y trabajadores"
