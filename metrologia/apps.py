from django.apps import AppConfig


class MetrologiaConfig(AppConfig):
    name = "metrologia"
    verbose_name = "Metrología"

    def ready(self) -> None:
        # Adds this workflow's rows to the action table (occupation/actions.py).
        from metrologia import services  # noqa: F401
