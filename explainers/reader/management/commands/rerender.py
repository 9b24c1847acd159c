import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from explainers.reader import article_bodies


class Command(BaseCommand):
    help = (
        "Rendert die gespeicherten Artikel aller öffentlichen Fassungen neu, die nicht mehr "
        "zum laufenden Release passen (Schritt nach jedem Deploy). Bis dahin werden solche "
        "Seiten beim Aufruf gerendert. Mehrfaches Ausführen schadet nicht."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", dest="everything",
            help="auch Artikel neu rendern, die schon zum laufenden Release passen",
        )  # fmt: skip
        parser.add_argument(
            "--language", action="append", dest="languages", metavar="SPRACHE",
            help="nur diese Sprache der Oberfläche (mehrfach möglich); sonst die Sprache der "
            "Website und jede, in der schon Artikel gespeichert sind",
        )  # fmt: skip

    def handle(self, everything=False, languages=None, **options):
        known = {code for code, _name in settings.LANGUAGES}
        unknown = sorted(set(languages or ()) - known)
        if unknown:
            raise CommandError(
                _("Unbekannte Sprache: %(languages)s (möglich: %(known)s).")
                % {"languages": ", ".join(unknown), "known": ", ".join(sorted(known))}
            )
        started = time.perf_counter()
        count = article_bodies.rerender(everything=everything, languages=languages)
        self.stdout.write(
            _("%(count)d Artikel neu gerendert (Release %(release)s, %(seconds).1f s).")
            % {
                "count": count,
                "release": settings.RELEASE,
                "seconds": time.perf_counter() - started,
            }  # fmt: skip
        )
