from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from explainers.domain.publishing import PublishRefused, publish
from explainers.management.database_outage import database_outage_reported
from explainers.models import Explainer, Publication

KINDS = [k for k in Publication.Kind.values if k != Publication.Kind.FIRST]


class Command(BaseCommand):
    help = "Veröffentlicht den Arbeitsstand eines Erklärstücks als nächste Fassung."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--kind", choices=KINDS, default=Publication.Kind.UPDATE)
        parser.add_argument("--note", default="", help="Hinweis für Leser")
        parser.add_argument("--internal-note", default="", help="Interne Notiz")
        parser.add_argument("--user", help="Benutzername mit Veröffentlichungsrecht")

    def handle(self, slug, kind, note, internal_note, user, **options):
        with database_outage_reported(_("nichts wurde veröffentlicht.")):
            self._publish(slug, kind, note, internal_note, user)

    def _publish(self, slug, kind, note, internal_note, user):
        explainer = Explainer.objects.filter(slug=slug).first()
        if explainer is None:
            raise CommandError(f"Kein Erklärstück mit dem Kurznamen „{slug}“.")
        publisher = None
        if user:
            publisher = get_user_model().objects.filter(username=user).first()
            if publisher is None:
                raise CommandError(f"Keinen Benutzer „{user}“ gefunden.")
        try:
            publication = publish(
                explainer, kind=kind, note=note, internal_note=internal_note, user=publisher
            )
        except PublishRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        self.stdout.write(
            f"Veröffentlicht: {explainer.slug} v{publication.number} "
            f"({publication.get_kind_display()})"
        )
