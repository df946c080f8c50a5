from django.apps import AppConfig


class FrontConfig(AppConfig):
    name = "zeues.front"
    label = "front"
    verbose_name = "Páginas"
