"""Issue an API token for an existing user; the token is the last line of the output."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from zeues.models import ApiToken


class Command(BaseCommand):
    help = "Crea un token de API para un usuario existente e imprime el token en la última línea."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--nombre", default="", help="Descripción del token (p. ej. 'tablet 3').")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No existe el usuario {options['username']!r}.")
        if not user.is_active:
            raise CommandError(f"El usuario {options['username']!r} está inactivo.")
        token, raw = ApiToken.issue(user=user, nombre=options["nombre"])
        self.stderr.write(f"Token {token.prefix}… creado para {user}. Guárdelo: no se vuelve a mostrar.")
        self.stdout.write(raw)
