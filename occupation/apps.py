from django.apps import AppConfig


class OccupationConfig(AppConfig):
    name = "occupation"
    verbose_name = "Ocupación (ARM/SOLD)"
