from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from explainers.core.textformat import TextFormatError
from explainers.domain.importing import ImportRefused, import_file
from explainers.domain.publishing import PublishRefused
from explainers.management.database_outage import database_outage_reported
from explainers.models import Publication

KINDS = [k for k in Publication.Kind.values if k != Publication.Kind.FIRST]


class Command(BaseCommand):
    help = "Importiert ein Erklärstück aus einer Textdatei (Textformat v1)."

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
                )
        except (TextFormatError, ImportRefused, PublishRefused) as error:
            raise CommandError(str(error)) from error
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"Warnung: {warning}"))
        self.stdout.write("\n".join(report.lines()))
