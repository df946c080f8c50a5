"""A spool's joints in Django admin (zeues/front/admin.py): listed on the spool's page, added,
corrected and voided by Supervisores with a reason, through occupation/joints.py. Every refusal
also checks that nothing was written: the spool, its joints, the audit trail, the outboxes."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.contrib import admin as django_admin
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import RequestFactory
from django.urls import reverse

from occupation import joints as joint_changes
from spools.models import Event, EventType, Spool, Union
from zeues.models import SheetUnionChange

pytestmark = pytest.mark.django_db

MIGRATION = "0015_supervisores_union_permissions"
UNION_PERMISSIONS = importlib.import_module(f"spools.migrations.{MIGRATION}").PERMISSIONS


@pytest.fixture
def supervisores(supervisores_group):
    """The Supervisores group with this feature's migration's permissions too."""
    for app_label, codename in UNION_PERMISSIONS:
        supervisores_group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return supervisores_group


@pytest.fixture
def supervisor(client, django_user_model, supervisores):
    user = django_user_model.objects.create_user(username="jefa", password="x-123456789", is_staff=True)
    user.groups.add(supervisores)
    client.force_login(user)
    return user


@pytest.fixture
def fitter(make_worker):
    return make_worker(id=93, nombre="Mauricio", apellido="Rodriguez", roles=["Armador"])


@pytest.fixture
def spool(make_spool, make_joints, fitter):
    """Three joints: #1 fitted by MR(93), #2 and #3 open."""
    spool = make_spool(tag_spool="MK-ADM-001", arm="pausado")
    return make_joints(spool, [(1, "8", "SO", {"arm": fitter}), (2, "6", "BR"), (3, "2.5", "BW")])


def _url(act: str, spool: Spool, n_union: int | None = None) -> str:
    args = [spool.pk] if n_union is None else [spool.pk, n_union]
    return reverse(f"admin:spools_spool_union_{act}", args=args)


def _change_page(spool: Spool) -> str:
    return reverse("admin:spools_spool_change", args=[spool.pk])


def _joints_written() -> tuple[list, list]:
    return (
        list(Union.objects.order_by("pk").values()),
        list(SheetUnionChange.objects.order_by("pk").values_list("pk", "version")),
    )


@pytest.fixture
def nothing_changed(nothing_written):
    """`nothing_written` (spools, events, KPI facts, spool outbox) plus the joints and their outbox."""

    @contextlib.contextmanager
    def check() -> Iterator[None]:
        before = _joints_written()
        with nothing_written():
            yield
        assert _joints_written() == before, "a refused change wrote a joint"

    return check


def _errors(page) -> str:
    return page.content.decode()


# --- the inline ----------------------------------------------------------------------------------


def test_spool_page_lists_its_joints_by_number_with_dn_workers_and_no_delete(client, supervisor, spool):
    page = client.get(_change_page(spool))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Uniones — ARM 1/3 · SOLD 0/3" in html
    rows = [html.index(f'data-n-union="{n}"') for n in (1, 2, 3)]
    assert rows == sorted(rows)
    assert "2,5" in html and "BW (a tope)" in html and "MR(93)" in html
    assert _url("corregir", spool, 3) in html and _url("anular", spool, 1) in html
    assert _url("agregar", spool) in html
    assert "uniones-0-DELETE" not in html and 'name="uniones-0-dn"' not in html


def test_saving_the_spool_form_leaves_its_joints_alone(client, supervisor, spool):
    before = _joints_written()
    data = {
        "tag_spool": spool.tag_spool,
        "nv": spool.nv,
        "ot": "002",
        "fecha_materiales": spool.fecha_materiales.strftime("%d/%m/%Y"),
        "activo": "on",
        "uniones-TOTAL_FORMS": "3",
        "uniones-INITIAL_FORMS": "3",
        "uniones-MIN_NUM_FORMS": "0",
        "uniones-MAX_NUM_FORMS": "1000",
        "uniones-0-DELETE": "on",  # no delete path: ignored
        "uniones-1-dn": "99",  # read-only: ignored
    }
    for i, union in enumerate(Union.objects.filter(spool=spool).order_by("n_union")):
        data |= {f"uniones-{i}-id": str(union.pk), f"uniones-{i}-spool": str(spool.pk)}
    page = client.post(_change_page(spool), data)
    assert page.status_code == 302, page.content.decode()[:2000]
    assert Spool.objects.get(pk=spool.pk).ot == "002"
    assert _joints_written() == before


def test_the_spool_form_writes_only_its_changed_fields_never_stale_state(supervisor, spool):
    """A TOMAR or FINALIZAR committed while the supervisor's save runs must not be put back."""
    spool_admin = django_admin.site._registry[Spool]
    request = RequestFactory().post("/")
    request.user = supervisor
    obj = spool_admin.get_object(request, str(spool.pk))
    form_class = spool_admin.get_form(request, obj, change=True)
    data = {"tag_spool": obj.tag_spool, "nv": obj.nv, "ot": "003", "activo": "on"}
    data["fecha_materiales"] = obj.fecha_materiales.strftime("%d/%m/%Y")
    form = form_class(data, instance=obj)
    assert form.is_valid(), form.errors
    obj = form.save(commit=False)
    Spool.objects.filter(pk=spool.pk).update(
        uniones_arm=2, version=spool.version + 1
    )  # the engine, meanwhile
    spool_admin.save_model(request, obj, form, change=True)
    fresh = Spool.objects.get(pk=spool.pk)
    assert (fresh.ot, fresh.uniones_arm, fresh.version) == ("003", 2, spool.version + 1)


# --- add -----------------------------------------------------------------------------------------


def test_adding_a_joint_reads_a_fraction_and_any_case_and_audits_who_and_why(client, supervisor, spool):
    form = client.get(_url("agregar", spool)).content.decode()
    assert 'value="4"' in form  # the next unused number is offered
    page = client.post(
        _url("agregar", spool), {"n_union": "4", "dn": "1 1/2", "tipo": " bw ", "motivo": "Rev. B del plano"}
    )
    assert page.status_code == 302 and page["Location"] == f"{_change_page(spool)}#uniones-group"
    union = Union.objects.get(spool=spool, n_union=4)
    assert (union.dn, union.tipo, union.anulada) == (Decimal("1.5"), "BW", False)
    event = Event.objects.get(evento_tipo=EventType.UNION_AGREGADA)
    assert (event.actor, event.worker, event.details["motivo"], event.details["n_union"]) == (
        supervisor,
        None,
        "Rev. B del plano",
        4,
    )
    fresh = Spool.objects.get(pk=spool.pk)
    assert (fresh.uniones_total, fresh.uniones_arm, fresh.uniones_sold_total) == (4, 1, 4)
    after = client.get(_change_page(spool)).content.decode()
    assert "Unión #4 agregada a MK-ADM-001: DN 1,5, BW." in after and "ARM 1/4" in after


def test_a_reused_number_even_voided_is_refused_with_the_spanish_message(
    client, supervisor, spool, nothing_changed
):
    joint_changes.union_void(union=Union.objects.get(spool=spool, n_union=2), actor=supervisor)
    with nothing_changed():
        page = client.post(
            _url("agregar", spool), {"n_union": "2", "dn": "2", "tipo": "BW", "motivo": "Rev. C"}
        )
    assert page.status_code == 200
    assert "El spool MK-ADM-001 ya tiene la unión #2 (anulada: los números no se reutilizan)." in _errors(
        page
    )


@pytest.mark.parametrize(
    "values, message",
    [
        ({"dn": "abc", "tipo": "BW"}, "DN no válido: &#x27;abc&#x27; (use 2, 2,5, 2.5 o 1 1/2)."),
        ({"dn": "1 1/3", "tipo": "BW"}, "DN con demasiados decimales"),
        ({"dn": "2", "tipo": "XX"}, "«XX» no es un tipo de unión"),
        ({"dn": "2", "tipo": "BW", "motivo": ""}, "Este campo es obligatorio."),
    ],
)
def test_a_bad_dn_type_or_missing_reason_is_shown_on_the_form_and_nothing_written(
    client, supervisor, spool, nothing_changed, values, message
):
    with nothing_changed():
        page = client.post(_url("agregar", spool), {"n_union": "7", "motivo": "Rev. B", **values})
    assert page.status_code == 200 and message in _errors(page)


def test_no_joint_is_added_to_an_approved_spool(client, supervisor, make_spool, nothing_changed):
    approved = make_spool(tag_spool="MK-ADM-OK", arm="completado", sold="completado", calidad="aprobado")
    with nothing_changed():
        page = client.post(
            _url("agregar", approved), {"n_union": "1", "dn": "2", "tipo": "BW", "motivo": "Rev"}
        )
    assert page.status_code == 200 and "ya fue APROBADO en metrología" in _errors(page)


# --- correct -------------------------------------------------------------------------------------


def test_correcting_dn_and_type_is_audited_with_before_and_after(client, supervisor, spool):
    form = client.get(_url("corregir", spool, 3)).content.decode()
    assert 'value="2,5"' in form and 'value="BW"' in form
    page = client.post(_url("corregir", spool, 3), {"dn": "3", "tipo": "so", "motivo": "Error de plano"})
    assert page.status_code == 302
    union = Union.objects.get(spool=spool, n_union=3)
    assert (union.dn, union.tipo) == (Decimal("3"), "SO")
    event = Event.objects.get(evento_tipo=EventType.UNION_CORREGIDA)
    assert event.actor == supervisor and event.details["motivo"] == "Error de plano"
    assert event.details["antes"] == {"dn": 2.5, "tipo": "BW"}
    assert event.details["despues"] == {"dn": 3.0, "tipo": "SO"}
    trail = client.get(reverse("admin:spools_event_changelist")).content.decode()
    assert "Supervisor corrigió una unión #3" in trail
    assert "Error de plano — DN 2,5 → 3, tipo BW → SO" in trail and "jefa" in trail


def test_correcting_without_a_reason_or_a_change_is_refused(client, supervisor, spool, nothing_changed):
    with nothing_changed():
        no_reason = client.post(_url("corregir", spool, 3), {"dn": "3", "tipo": "BW", "motivo": " "})
        same = client.post(_url("corregir", spool, 3), {"dn": "2,5", "tipo": "bw", "motivo": "Revisión"})
    assert no_reason.status_code == 200 and "Este campo es obligatorio." in _errors(no_reason)
    assert same.status_code == 200 and "La unión #3 ya tiene DN 2,5 y tipo BW." in _errors(same)


# --- void ----------------------------------------------------------------------------------------


def test_voiding_an_unworked_joint_needs_no_reason(client, supervisor, spool):
    form = client.get(_url("anular", spool, 2)).content.decode()
    assert "Opcional: la unión no tiene trabajo registrado" in form
    page = client.post(_url("anular", spool, 2), {"motivo": ""})
    assert page.status_code == 302
    union = Union.objects.get(spool=spool, n_union=2)
    assert union.anulada and union.anulada_motivo == ""
    event = Event.objects.get(evento_tipo=EventType.UNION_ANULADA)
    assert (event.actor, event.details["n_union"], event.details["motivo"]) == (supervisor, 2, "")
    assert Spool.objects.get(pk=spool.pk).uniones_total == 2


def test_voiding_a_worked_joint_without_a_reason_is_refused(client, supervisor, spool, nothing_changed):
    with nothing_changed():
        page = client.post(_url("anular", spool, 1), {"motivo": "   "})
    assert page.status_code == 200 and "Este campo es obligatorio." in _errors(page)
    assert not Union.objects.get(spool=spool, n_union=1).anulada


def test_voiding_a_worked_joint_with_a_reason_keeps_the_work_on_record(client, supervisor, spool, fitter):
    page = client.post(_url("anular", spool, 1), {"motivo": "Cortada en terreno"})
    assert page.status_code == 302
    union = Union.objects.get(spool=spool, n_union=1)
    assert union.anulada and union.anulada_motivo == "Cortada en terreno"
    assert union.arm_worker == fitter and union.arm_fin is not None
    event = Event.objects.get(evento_tipo=EventType.UNION_ANULADA)
    assert event.actor == supervisor and event.details["motivo"] == "Cortada en terreno"
    html = client.get(_change_page(spool)).content.decode()
    assert "Anulada: Cortada en terreno" in html and "MR(93)" in html
    assert _url("anular", spool, 1) not in html and _url("corregir", spool, 1) not in html
    trail = client.get(reverse("admin:spools_event_changelist")).content.decode()
    assert "Supervisor anuló una unión #1" in trail and "Cortada en terreno" in trail


def test_a_voided_joint_is_neither_voided_again_nor_corrected(client, supervisor, spool, nothing_changed):
    joint_changes.union_void(union=Union.objects.get(spool=spool, n_union=2), actor=supervisor)
    with nothing_changed():
        again = client.post(_url("anular", spool, 2), {"motivo": "otra vez"})
        corrected = client.post(_url("corregir", spool, 2), {"dn": "4", "tipo": "BW", "motivo": "Rev"})
    assert again.status_code == 200 and "La unión #2 ya está anulada." in _errors(again)
    assert corrected.status_code == 200 and "La unión #2 está anulada: no se corrige." in _errors(corrected)


# --- who may, and what never exists ---------------------------------------------------------------


def test_staff_without_the_permission_see_no_joints_and_cannot_change_them(
    client, django_user_model, spool, nothing_changed
):
    clerk = django_user_model.objects.create_user(username="oficina", password="x-123456789", is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_spool", "change_spool"]))
    client.force_login(clerk)
    html = client.get(_change_page(spool)).content.decode()
    assert "MK-ADM-001" in html and 'id="uniones-group"' not in html
    with nothing_changed():
        for url, data in (
            (_url("agregar", spool), {"n_union": "4", "dn": "2", "tipo": "BW", "motivo": "Rev. B"}),
            (_url("corregir", spool, 3), {"dn": "3", "tipo": "BW", "motivo": "Rev. B"}),
            (_url("anular", spool, 1), {"motivo": "Rev. B"}),
        ):
            assert client.get(url).status_code == 403 and client.post(url, data).status_code == 403


def test_those_who_may_only_view_joints_see_them_without_change_links(
    client, django_user_model, spool, nothing_changed
):
    viewer = django_user_model.objects.create_user(username="calidad", password="x-123456789", is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_spool", "view_union"]))
    client.force_login(viewer)
    html = client.get(_change_page(spool)).content.decode()
    assert 'id="uniones-group"' in html and 'data-n-union="3"' in html
    assert "/uniones/" not in html and "Agregar unión" not in html
    with nothing_changed():
        assert client.post(_url("anular", spool, 2), {"motivo": ""}).status_code == 403


def test_anonymous_wrong_method_and_unknown_joint(client, supervisor, spool, nothing_changed):
    with nothing_changed():
        assert client.put(_url("anular", spool, 2)).status_code == 405
        assert client.get(_url("corregir", spool, 9)).status_code == 404
        assert client.get(reverse("admin:spools_spool_union_agregar", args=[999999])).status_code == 404
        client.logout()
        page = client.post(_url("anular", spool, 2), {"motivo": ""})
    assert page.status_code == 302 and "/login/" in page["Location"]
    assert not Union.objects.get(spool=spool, n_union=2).anulada


def test_no_delete_path_exists_for_joints(client, supervisor, spool):
    assert not supervisor.has_perm("spools.delete_union")
    union = Union.objects.get(spool=spool, n_union=2)
    assert client.get(reverse("admin:spools_union_delete", args=[union.pk])).status_code == 403
    assert (
        client.post(reverse("admin:spools_union_delete", args=[union.pk]), {"post": "yes"}).status_code == 403
    )
    changelist = client.get(reverse("admin:spools_union_changelist"), {"q": "MK-ADM-001"}).content.decode()
    assert "delete_selected" not in changelist and "data-n-union" not in changelist
    assert "MK-ADM-001" in changelist and "2,5" in changelist
    assert Union.objects.filter(spool=spool).count() == 3


def test_the_migration_grants_supervisores_the_changes_and_gerencia_the_view():
    loader = MigrationLoader(connection)
    state_apps = loader.project_state(("spools", MIGRATION), at_end=True).apps
    migration = importlib.import_module(f"spools.migrations.{MIGRATION}")

    def codenames(name: str) -> set[str]:
        group = Group.objects.get(name=name)
        return set(group.permissions.filter(codename__endswith="_union").values_list("codename", flat=True))

    migration.backwards(state_apps, None)
    assert codenames("Supervisores") == set() and codenames("Gerencia") == set()
    migration.forwards(state_apps, None)
    assert codenames("Supervisores") == {"view_union", "add_union", "change_union"}
    assert codenames("Gerencia") == {"view_union"}


def test_a_mistaken_fit_up_is_undone_from_admin_with_the_reason(client, supervisor, spool):
    union = Union.objects.get(spool=spool, n_union=1)
    page = reverse("admin:spools_spool_union_deshacer", args=[spool.pk, union.n_union])
    assert page in client.get(_change_page(spool)).content.decode()  # offered on the worked joint only
    assert (
        reverse("admin:spools_spool_union_deshacer", args=[spool.pk, 2])
        not in client.get(_change_page(spool)).content.decode()
    )
    assert "El armado (MR(93)" in client.get(page).content.decode()
    r = client.post(page, {"operacion": "ARM", "motivo": ""})
    assert r.status_code == 200 and Union.objects.get(pk=union.pk).arm_fin is not None  # reason required
    r = client.post(page, {"operacion": "ARM", "motivo": "Marcada por error en la tablet"})
    assert r.status_code == 302
    assert Union.objects.get(pk=union.pk).arm_fin is None
    event = Event.objects.get(evento_tipo="UNION_CORREGIDA")
    assert (
        event.details["motivo"] == "Marcada por error en la tablet"
        and event.details["deshecho"]["operacion"] == "ARM"
    )
