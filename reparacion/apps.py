from django.apps import AppConfig


class ReparacionConfig(AppConfig):
    name = "reparacion"
    verbose_name = "Reparación"

    def ready(self) -> None:
        # Adds this workflow's rows to the action table (occupation/actions.py).
        from reparacion import services  # noqa: F401
