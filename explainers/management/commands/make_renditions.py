from django.core.exceptions import SuspiciousOperation
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from explainers.domain.image_references import referenced_images
from explainers.domain.images import (
    ImageRefused,
    lead_image_storage,
    missing_renditions,
    rendition_name,
    write_renditions,
)


class Command(BaseCommand):
    help = (
        "Erzeugt die fehlenden kleineren Größen (Renditionen) aller Aufmacherbilder, die ein "
        "Erklärstück, eine Veröffentlichung oder eine Revision nennt. Mehrfaches Ausführen "
        "schadet nicht."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="nur anzeigen, nichts ändern")

    def handle(self, dry_run=False, **options):
        storage = lead_image_storage()
        checked = made = missing = unreadable = 0
        for name in sorted(referenced_images()):
            if not _exists(storage, name):
                missing += 1
                self.stdout.write(_("Fehlt: %(name)s") % {"name": name})
                continue
            checked += 1
            try:
                widths = missing_renditions(name, storage)
                if widths and not dry_run:
                    write_renditions(name, storage)
            except (ImageRefused, OSError, ValueError):
                unreadable += 1
                self.stdout.write(_("Nicht lesbar: %(name)s") % {"name": name})
                continue
            made += len(widths)
            for width in widths:
                line = _("Würde erzeugen: %(name)s") if dry_run else _("Erzeugt: %(name)s")
                self.stdout.write(line % {"name": rendition_name(name, width)})
        summary = (
            _("%(checked)s Bilder geprüft, %(made)s Größen fehlen, %(missing)s Dateien fehlen, "
              "%(unreadable)s nicht lesbar. Probelauf: nichts wurde geändert.")
            if dry_run
            else _("%(checked)s Bilder geprüft, %(made)s Größen erzeugt, %(missing)s Dateien "
                   "fehlen, %(unreadable)s nicht lesbar.")
        )  # fmt: skip
        self.stdout.write(
            summary
            % {"checked": checked, "made": made, "missing": missing, "unreadable": unreadable}
        )


def _exists(storage, name: str) -> bool:
    """Whether the storage holds the file; a name pointing out of it (an old import) does
    not count."""
    try:
        return storage.exists(name)
    except SuspiciousOperation:  # the local storage's SuspiciousFileOperation, S3's own
        return False
