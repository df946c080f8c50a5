from django.apps import AppConfig


class OccupationConfig(AppConfig):
    name = "occupation"
    verbose_name = "Ocupación (ARM/SOLD)"

    def ready(self) -> None:
        # Adds this workflow's rows to the action table (occupation/actions.py).
        from occupation import services  # noqa: F401
