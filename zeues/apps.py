from django.apps import AppConfig


class ZeuesConfig(AppConfig):
    name = "zeues"
    verbose_name = "ZEUES"

    def ready(self) -> None:
        from zeues.lib.live import install_resilient_listener

        install_resilient_listener()
