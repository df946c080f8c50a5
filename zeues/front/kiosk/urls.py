from django.urls import path, register_converter

from zeues.front.kiosk import views


class OperationConverter:
    regex = "arm|sold|metrologia|reparacion|todas"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value.lower()


register_converter(OperationConverter, "op")

app_name = "kiosk"

urlpatterns = [
    path("", views.start, name="start"),
    path("escanear/", views.scan, name="scan"),
    path("spool/<path:tag>/", views.spool_detail, name="spool"),
    path("mis-spools/", views.my_spools, name="my-spools"),
    path("mi-registro/", views.my_record, name="my-record"),
    path("resultado/<str:key>/", views.result, name="result"),
    path("llamar/<path:tag>/", views.call_supervisor, name="call"),
    path("<op:op>/identificar/", views.identify, name="identify"),
    path("<op:op>/pin/", views.pin, name="pin"),
    path("<op:op>/", views.spool_list, name="list"),
    path("<op:op>/confirmar/", views.confirm, name="confirm"),
    path("<op:op>/fila/<path:tag>/", views.row, name="row"),
    path("<op:op>/terminar/<path:tag>/", views.finish, name="finish"),
    path("<op:op>/registrar/", views.finish_run, name="finish-run"),
    path("<op:op>/ejecutar/", views.execute, name="execute"),
]
