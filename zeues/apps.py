from django.apps import AppConfig


class ZeuesConfig(AppConfig):
    name = "zeues"
    verbose_name = "ZEUES"
