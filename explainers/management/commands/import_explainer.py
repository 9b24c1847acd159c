from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from explainers.core.textformat import TextFormatError
from explainers.domain.importing import FORMATS, ImportRefused, import_file
from explainers.domain.publishing import PublishRefused
from explainers.management.database_outage import database_outage_reported
from explainers.models import Publication

KINDS = [k for k in Publication.Kind.values if k != Publication.Kind.FIRST]


class Command(BaseCommand):
    help = (
        "Importiert ein Erklärstück aus einer Textdatei (Textformat v1) oder aus JSON, "
        "wie export_explainer es schreibt."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--title", help="Überschrift (sonst Titel: oder Dateiname)")
        parser.add_argument("--slug", help="Kurzname (sonst aus der Überschrift)")
        parser.add_argument(
            "--replace", action="store_true", help="Vorhandenes Erklärstück als neue Revision"
        )
        parser.add_argument("--publish", action="store_true", help="Gleich veröffentlichen")
        parser.add_argument("--kind", choices=KINDS, default=Publication.Kind.UPDATE)
        parser.add_argument("--note", default="", help="Hinweis für Leser")
        parser.add_argument(
            "--user",
            help="Benutzername, dem die Revision (und Veröffentlichung) zugeschrieben wird",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Nur zeigen, was sich ändern würde; nichts speichern",
        )
        parser.add_argument(
            "--language",
            help=(
                "Sprache des Textes "
                f"({', '.join(code for code, _name in settings.CONTENT_LANGUAGES)}); "
                "gilt vor der Zeile „Sprache:“, sonst wird sie erkannt"
            ),
        )
        parser.add_argument(
            "--format",
            choices=FORMATS,
            default="text",
            dest="file_format",
            help="text (Textformat v1) oder json (wie export_explainer --format json)",
        )

    def handle(self, path, title, slug, replace, publish, kind, note, **options):
        try:
            with database_outage_reported(_("nichts wurde importiert.")):
                report = import_file(
                    path,
                    title=title,
                    slug=slug,
                    replace=replace,
                    publish_kind=kind if publish else None,
                    note=note,
                    user=self._user(options["user"]),
                    language=options["language"],
                    file_format=options["file_format"],
                    dry_run=options["dry_run"],
                )
        except (TextFormatError, ImportRefused, PublishRefused) as error:
            raise CommandError(str(error)) from error
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"Warnung: {warning}"))
        self.stdout.write("\n".join(report.lines()))

    def _user(self, name: str | None):
        if name is None:
            return None
        user = get_user_model()._default_manager.filter(**{get_user_model().USERNAME_FIELD: name})
        user = user.first()
        if user is None:
            raise CommandError(
                _("Unbekannter Benutzer „%(name)s“: nichts wurde importiert.") % {"name": name}
            )
        if not user.is_active:
            raise CommandError(
                _("Der Benutzer „%(name)s“ ist deaktiviert: nichts wurde importiert.")
                % {"name": name}
            )
        return user
