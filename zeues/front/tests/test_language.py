"""Spanish for everyone (issue 13): the language served, admin without English, the error pages.

This module is also a URLconf (`failing_urls`): the project's URLs plus a view that fails and one
that refuses, under the kiosk, admin, the staff's pages and the API, with the project's handlers.
"""

from __future__ import annotations

import ast
import gettext as gnu_gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import django
import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import path, reverse
from django.utils import translation

import zeues.urls as project_urls
from zeues.front import errors
from zeues.front.permissions import public

pytestmark = pytest.mark.django_db

LOCALE_ES = Path(__file__).resolve().parents[3] / "locale" / "es" / "LC_MESSAGES"
DJANGO_DIR = Path(django.__file__).resolve().parent
ENGLISH_BROWSER = {"Accept-Language": "en-US,en;q=0.9"}


# --- the URLconf with failing views -----------------------------------------------------------


@public  # deny by default: even a test's view names its audience
def _falla(request):
    raise RuntimeError("falla de prueba")


@public
def _prohibido(request):
    raise PermissionDenied


urlpatterns = [
    path("kiosko/_falla/", _falla),
    path("kiosko/_prohibido/", _prohibido),
    path("admin/_falla/", _falla),
    path("api/_falla/", _falla),
    path("_falla/", _falla),
    *project_urls.urlpatterns,
]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = __name__


@pytest.fixture(autouse=True)
def _debug_off(settings):
    """Error pages are what production shows: DEBUG off (Django's technical pages otherwise)."""
    settings.DEBUG = False


# --- clients -------------------------------------------------------------------------------


def _client(user=None, **kwargs) -> Client:
    client = Client(headers=ENGLISH_BROWSER, **kwargs)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def tablet(django_user_model):
    user = django_user_model.objects.create_user(username="tablet-lang", password="x-123456789")
    user.groups.add(Group.objects.get_or_create(name="Kioscos")[0])
    return _client(user, raise_request_exception=False)


@pytest.fixture
def boss(django_user_model):
    user = django_user_model.objects.create_superuser(username="jefa-lang", password="x-123456789")
    return _client(user, raise_request_exception=False)


@pytest.fixture
def clerk(django_user_model):
    """Staff without any permission and in no group: admin and Gerencia refuse them."""
    user = django_user_model.objects.create_user(username="clerk", password="x-123456789", is_staff=True)
    return _client(user, raise_request_exception=False)


@pytest.fixture
def anonymous():
    return _client(raise_request_exception=False)


# --- what people read on a page ---------------------------------------------------------------


class _Text(HTMLParser):
    """The text a person reads or hears: text nodes and the labelling attributes."""

    ATTRS = {"title", "aria-label", "placeholder", "alt", "value", "data-filter-title"}
    SKIP = {"script", "style"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        hidden = dict(attrs).get("type") in ("hidden", "checkbox")
        self.parts += [v for k, v in attrs if k in self.ATTRS and v and not hidden]

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def readable(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


# English that admin showed before (issue 13) and Django's usual English around it, as whole
# words: any of them on a page we render is a string nobody translated.
ENGLISH = [
    "Select an option",
    "Run",
    "Go",
    "Filter",
    "Filter by",
    "Search",
    "By",
    "worker",
    "Worker",
    "Created at",
    "Updated at",
    "Details",
    "Tag spool",
    "Version",
    "First change at",
    "Last success at",
    "Action",
    "Add",
    "Change",
    "Delete",
    "Save",
    "History",
    "Home",
    "Welcome",
    "Log out",
    "Logout",
    "View site",
    "Pagination",
    "selected",
    "Show counts",
    "Hide counts",
    "Yes",
    "All",
    "Any date",
    "Today",
    "Page not found",
    "Server error",
    "Forbidden",
    "CSRF verification failed",
]


def english_in(text: str) -> list[str]:
    return [w for w in ENGLISH if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]


# --- the language served -----------------------------------------------------------------------


def test_english_browsers_get_spanish_kiosk_pages_and_admin_with_matching_lang(tablet, boss, make_worker):
    make_worker(id=93, roles=["Armador"])
    pages = {
        "kiosk": tablet.get(reverse("kiosk:start")),
        "kiosk-identify": tablet.get(reverse("kiosk:identify", kwargs={"op": "ARM"})),
        "start page": boss.get(reverse("index")),
        "board": boss.get(reverse("board")),
        "admin": boss.get(reverse("admin:index")),
        "login": _client().get(reverse("login")),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert re.search(r'<html lang="es"[ >]', response.text), name
        assert "en" not in response.get("Content-Language", ""), name
    assert "¿Qué va a hacer?" in pages["kiosk"].text and "What will you do?" not in pages["kiosk"].text
    assert "Estado del taller" in pages["start page"].text
    assert (
        "Supervisión del taller" in pages["admin"].text and "Site administration" not in pages["admin"].text
    )
    assert "Entrar a ZEUES" in pages["login"].text


def test_the_only_language_is_spanish(settings):
    from django.utils.translation import get_language_from_request

    assert settings.LANGUAGE_CODE == "es" and [code for code, _ in settings.LANGUAGES] == ["es"]
    assert "django.middleware.locale.LocaleMiddleware" not in settings.MIDDLEWARE
    request = RequestFactory().get("/", headers=ENGLISH_BROWSER)
    assert get_language_from_request(request) == "es"
    assert not (LOCALE_ES.parents[1] / "en").exists()


# --- admin without English -------------------------------------------------------------------


ADMIN_PAGES = {
    "spools": ("admin:spools_spool_changelist", ["Ejecutar", "Por ARM", "Buscar spools", "Ocupado desde"]),
    "events": (
        "admin:spools_event_changelist",
        ["Filtrar por fecha y hora", "Por trabajador", "Buscar eventos (auditoría)", "Por tipo"],
    ),
    "workers": ("admin:spools_worker_changelist", ["Ejecutar", "Por rol", "Buscar trabajadores"]),
    "tokens": ("admin:zeues_apitoken_changelist", ["Por activo", "Usuario"]),
    "mirror": ("admin:zeues_sheetsyncstate_changelist", ["Último ciclo correcto"]),
    "outbox": ("admin:zeues_sheetspoolchange_changelist", ["Primer cambio sin enviar", "Versión"]),
}


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_changelists_show_no_english(boss, real_loop, django_user_model, name):
    from zeues.models import ApiToken, SheetSyncState

    ApiToken.issue(user=django_user_model.objects.get(username="jefa"), nombre="tablet")
    SheetSyncState.load()
    url, spanish = ADMIN_PAGES[name]
    response = boss.get(reverse(url))
    assert response.status_code == 200
    text = readable(response.text)
    assert english_in(text) == [], name
    for words in spanish:
        assert words in text, (name, words)
    if name in ("spools", "workers"):  # the action bar: Django's Spanish and ours
        assert "- Seleccione una opción -" in text and "Acción:" in text


@pytest.mark.parametrize("model", ["spool", "event", "worker"])
def test_admin_change_pages_show_no_english(boss, real_loop, model):
    from spools.models import Event, Spool, Worker

    obj = {"spool": Spool, "event": Event, "worker": Worker}[model].objects.first()
    response = boss.get(reverse(f"admin:spools_{model}_change", args=[obj.pk]))
    assert response.status_code == 200
    assert english_in(readable(response.text)) == [], model


def _po_entries(path: Path) -> list[tuple[str, str, list[str]]]:
    """(msgid, msgid_plural, msgstrs) of every live entry of a .po file (the header excluded)."""
    entries: list[tuple[str, str, list[str]]] = []
    current: dict[str, str] = {}
    key = ""

    def flush() -> None:
        if current.get("msgid"):
            strs = [v for k, v in sorted(current.items()) if k.startswith("msgstr")]
            entries.append((current["msgid"], current.get("msgid_plural", ""), strs))
        current.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            current[key] += ast.literal_eval(line)
            continue
        word, rest = line.split(" ", 1)
        if word in ("msgctxt", "msgid") and "msgid" in current:
            flush()
        key = word
        current[key] = ast.literal_eval(rest)
    flush()
    return entries


def test_our_catalogue_translates_every_string_djangos_spanish_leaves_in_english():
    """Django 6.1's Spanish catalogues leave a few strings empty ("Run", "Search %(name)s", …);
    locale/es fills them. A Django upgrade that brings new empty ones fails here: add them."""
    ours = gnu_gettext.GNUTranslations((LOCALE_ES / "django.mo").open("rb"))
    catalogue = ours._catalog  # type: ignore[attr-defined]
    missing = []
    for po in sorted(DJANGO_DIR.glob("**/locale/es/LC_MESSAGES/*.po")):
        for msgid, plural, strs in _po_entries(po):
            if not all(strs):
                key = (msgid, 0) if plural else msgid
                if not catalogue.get(key):
                    missing.append(f"{po.relative_to(DJANGO_DIR)}: {msgid}")
    assert missing == []
    # Ours win over Django's (LOCALE_PATHS), and the compiled catalogue is the source's.
    with translation.override("es"):
        assert translation.gettext("Run") == "Ejecutar"
        assert translation.gettext("- Select an option -") == "- Seleccione una opción -"
        assert translation.gettext("Search %(name)s") % {"name": "spools"} == "Buscar spools"
    for msgid, plural, strs in _po_entries(LOCALE_ES / "django.po"):
        assert catalogue.get((msgid, 0) if plural else msgid) == strs[0], f"run compilemessages: {msgid}"


# --- error pages ---------------------------------------------------------------------------------

LOOK = {
    "kiosk": ('<body class="kiosk"', 'href="/kiosko/" data-testid="back"'),
    "admin": ('id="site-name"', 'href="/admin/" data-testid="back"'),
    "app": ('class="topbar"', 'href="/" data-testid="back"'),
}


def assert_error_page(response, status: int, area: str, *spanish: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert re.search(r'<html lang="es"[ >]', html)
    for piece in LOOK[area]:
        assert piece in html, (area, piece)
    text = readable(html)
    for words in spanish:
        assert words in text, words
    assert english_in(text) == []
    return html


def test_404_in_spanish_for_kiosk_app_and_admin(tablet, anonymous, boss):
    assert_error_page(
        tablet.get("/kiosko/no-existe/"), 404, "kiosk", "Página no encontrada", "Volver al inicio del kiosko"
    )
    assert_error_page(anonymous.get("/no-existe/"), 404, "app", "Página no encontrada", "Volver al inicio")
    assert_error_page(
        boss.get("/admin/no-existe/"), 404, "admin", "Página no encontrada", "Volver a la administración"
    )


def test_404_says_which_spool_is_missing(boss):
    html = assert_error_page(boss.get(reverse("history", kwargs={"tag": "NO-EXISTE"})), 404, "app")
    assert "No existe el spool «NO-EXISTE»." in html


def test_403_in_spanish_for_kiosk_app_and_admin(failing_urls, tablet, clerk):
    assert_error_page(tablet.get("/kiosko/_prohibido/"), 403, "kiosk", "Acceso denegado")
    html = assert_error_page(clerk.get(reverse("kpis")), 403, "app", "Acceso denegado")
    assert "Estas páginas son para Gerencia y Supervisores." in html
    assert_error_page(
        clerk.get(reverse("admin:spools_spool_changelist")),
        403,
        "admin",
        "Acceso denegado",
        "Su cuenta no tiene permiso para ver esta página.",
    )


def test_500_in_spanish_for_kiosk_app_and_admin(failing_urls, anonymous, boss):
    for client, url, area in (
        (anonymous, "/kiosko/_falla/", "kiosk"),
        (anonymous, "/_falla/", "app"),
        (boss, "/admin/_falla/", "admin"),
    ):
        response = client.get(url)
        assert response.status_code == 500
        html = response.content.decode()
        assert re.search(r'<html lang="es"[ >]', html)
        text = readable(html)
        assert "Error del servidor" in text and english_in(text) == []
        back = {"kiosk": "/kiosko/", "admin": "/admin/", "app": "/"}[area]
        assert f'href="{back}" data-testid="back"' in html
        assert ('<body class="kiosk"' in html) == (area == "kiosk")


def test_csrf_failure_in_spanish_for_kiosk_app_and_admin(django_user_model):
    browser = _client(enforce_csrf_checks=True, raise_request_exception=False)
    expired = "La página caducó; vuelva a intentarlo."
    kiosk_post = browser.post(reverse("kiosk:execute", kwargs={"op": "ARM"}), {"accion": "TOMAR"})
    assert_error_page(kiosk_post, 403, "kiosk", expired, "No se registró ningún cambio")
    tablet_login = browser.post(f"{reverse('login')}?next=/kiosko/", {"username": "x", "password": "y"})
    assert_error_page(tablet_login, 403, "kiosk", expired)
    assert_error_page(browser.post(reverse("login"), {"username": "x"}), 403, "app", expired)
    assert_error_page(browser.post(reverse("admin:login"), {"username": "x"}), 403, "admin", expired)


def test_api_errors_answer_in_the_json_envelope(failing_urls, anonymous):
    response = anonymous.get("/api/_falla/")
    assert response.status_code == 500 and response.json()["error"] == "ERROR_INTERNO"
    assert response.json()["message"].startswith("Error interno")


def _broken_context_processor(request):
    raise RuntimeError("la base de datos no responde")


def test_error_pages_render_when_a_context_processor_or_the_database_fails(
    failing_urls, settings, anonymous, caplog
):
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "context_processors": [
                    *settings.TEMPLATES[0]["OPTIONS"]["context_processors"],
                    f"{__name__}._broken_context_processor",
                ],
            },
        }
    ]
    # The area's layout fails; the plain one, which needs no request, answers with the same status.
    for url, status, title in (
        ("/kiosko/no-existe/", 404, "Página no encontrada"),
        ("/no-existe/", 404, "Página no encontrada"),
        ("/kiosko/_prohibido/", 403, "Acceso denegado"),
        ("/_falla/", 500, "Error del servidor"),
    ):
        response = anonymous.get(url)
        assert response.status_code == status, url
        assert title in readable(response.content.decode()), url
        assert re.search(r'<html lang="es"[ >]', response.content.decode())
    assert "sending the plain page" in caplog.text


def test_500_needs_no_database(django_assert_num_queries):
    request = RequestFactory().get("/kiosko/arm/")
    with django_assert_num_queries(0):
        response = errors.server_error(request)
    assert response.status_code == 500 and "Error del servidor" in response.content.decode()


def test_a_fixed_page_when_even_the_plain_page_fails(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("plantillas rotas")

    monkeypatch.setattr(errors.loader, "get_template", broken)
    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert '<html lang="es">' in response.content.decode() and "Volver al inicio" in response.content.decode()


def test_error_pages_with_the_production_static_storage(failing_urls, settings, tmp_path, anonymous, boss):
    """As a release serves them: DEBUG off, collected static files with hashed names (manifest)."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.WHITENOISE_USE_FINDERS = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    for client, url, status in (
        (anonymous, "/kiosko/no-existe/", 404),
        (anonymous, "/no-existe/", 404),
        (boss, "/admin/no-existe/", 404),
        (anonymous, "/kiosko/_falla/", 500),
        (anonymous, "/_falla/", 500),
    ):
        response = client.get(url)
        assert response.status_code == status, url
        assert re.search(r"/static/css/errors\.[0-9a-f]{12}\.css", response.content.decode()), url


def test_admin_search_form_override_is_djangos_with_the_icon_text_translated():
    """templates/admin/search_form.html copies Django's to translate the icon's alt="Search":
    when Django changes its template, this fails; copy the new one and translate the alt again."""
    theirs = (DJANGO_DIR / "contrib" / "admin" / "templates" / "admin" / "search_form.html").read_text()
    ours = (Path(__file__).resolve().parents[3] / "templates" / "admin" / "search_form.html").read_text()
    assert ours.split("{% endcomment %}\n", 1)[1] == theirs.replace(
        'alt="Search"', "alt=\"{% translate 'Search' %}\""
    )


def test_error_pages_hand_out_no_csrf_cookie(anonymous):
    """A 404 fetched beside a page (a missing icon) must not replace the cookie its form holds."""
    response = anonymous.get("/favicon.ico")
    assert response.status_code == 404 and "csrftoken" not in response.cookies
