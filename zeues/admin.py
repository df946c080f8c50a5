"""Admin for API tokens: list and revoke; new tokens come from `manage.py create_api_token`."""

from django.contrib import admin

from zeues.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "nombre", "activo", "created_at"]
    list_filter = ["activo"]
    readonly_fields = ["user", "prefix", "created_at"]
    fields = ["user", "prefix", "nombre", "activo", "created_at"]

    def has_add_permission(self, request):
        return False
