from django.core.management.base import BaseCommand

from explainers.domain.roles import setup_roles


class Command(BaseCommand):
    help = "Legt die Gruppen „Redaktion“ und „Chef vom Dienst“ mit ihren Rechten an (wiederholbar)."

    def handle(self, **options):
        for group, count in setup_roles().items():
            self.stdout.write(f"{group}: {count} Rechte")
