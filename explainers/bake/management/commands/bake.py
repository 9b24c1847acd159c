import logging

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from explainers.bake import baking


class Command(BaseCommand):
    help = (
        "Backt alle öffentlichen Seiten (Übersicht, Erklärstücke, Fassungen, Vergleiche, Feeds, "
        "Sitemap, statische Dateien) in der Standardsprache als Dateien nach OUTPUT_DIR/public, "
        "dazu das nginx-Snippet OUTPUT_DIR/nginx.conf."
    )

    def add_arguments(self, parser):
        parser.add_argument("output_dir", metavar="OUTPUT_DIR")
        parser.add_argument(
            "--host",
            help="Host der absoluten Adressen in Seiten, Feeds und Sitemap (Standard: der "
            "aus PUBLIC_BASE_URL, ohne sie der erste feste Eintrag in ALLOWED_HOSTS)",
        )
        parser.add_argument(
            "--scheme",
            choices=baking.SCHEMES,
            help="Standard: das aus PUBLIC_BASE_URL, wenn --host fehlt, sonst https",
        )
        parser.add_argument(
            "--upstream",
            default=baking.DEFAULT_UPSTREAM,
            help="die App, an die nginx alles Ungebackene weitergibt (http(s)://Host[:Port])",
        )

    def handle(self, output_dir, host, scheme, upstream, **options):
        # The bake's own requests (a 410 page is a warning to django.request) are no
        # readers' requests: their log lines only with -v 2.
        was = logging.root.manager.disable
        if options["verbosity"] < 2:
            logging.disable(logging.WARNING)
        try:
            report = baking.bake_site(output_dir, host=host, scheme=scheme, upstream=upstream)
        except baking.BakeError as error:
            raise CommandError(str(error)) from error
        finally:
            logging.disable(was)
        self.stdout.write(
            _("Dateien: %(written)s geschrieben, %(unchanged)s unverändert, %(removed)s entfernt.")
            % {"written": report.written, "unchanged": report.unchanged, "removed": report.removed}
        )
        for skipped in report.skipped:
            self.stdout.write(_("Nicht gebacken: %(page)s") % {"page": skipped})
        self.stdout.write(_("Gebackene Seiten: %(path)s") % {"path": report.public})
        self.stdout.write(_("Adressen in den Seiten: %(url)s/") % {"url": report.base_url})
        self.stdout.write(_("nginx-Snippet: %(path)s") % {"path": report.snippet})
        if report.snippet_changed:
            self.stdout.write(
                _("Das Snippet hat sich geändert: nginx neu laden (nginx -s reload).")
            )
