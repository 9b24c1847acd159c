import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from explainers.domain.image_references import referenced_images
from explainers.domain.images import lead_image_storage, original_of, stored_names, upload_folder


class Command(BaseCommand):
    help = (
        "Entfernt Dateien im Ordner der Aufmacherbilder, die weder ein Erklärstück noch eine "
        "Veröffentlichung noch eine gespeicherte Revision nennt (die Größen eines genannten "
        "Bildes bleiben). Dateien, die jünger sind als --min-age-minutes, bleiben: sie können "
        "zu einem Speichervorgang gehören, der gerade läuft."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="nur anzeigen, nichts löschen")
        parser.add_argument(
            "--min-age-minutes",
            type=int,
            default=60,
            help="jüngere Dateien bleiben (Standard: 60)",
        )

    def handle(self, dry_run=False, min_age_minutes=60, **options):
        storage = lead_image_storage()
        folder = upload_folder()
        keep = referenced_images()
        cutoff = timezone.now() - datetime.timedelta(minutes=min_age_minutes)
        removed = kept = 0
        names = sorted(stored_names(storage, folder))
        for name in names:
            if (
                name in keep
                or original_of(name) in keep
                or storage.get_modified_time(name) > cutoff
            ):
                kept += 1
                continue
            removed += 1
            if dry_run:
                self.stdout.write(_("Würde entfernen: %(name)s") % {"name": name})
            else:
                storage.delete(name)
                self.stdout.write(_("Entfernt: %(name)s") % {"name": name})
        summary = (
            _("%(removed)s Dateien würden entfernt, %(kept)s bleiben. Probelauf: nichts wurde "
              "gelöscht.")
            if dry_run
            else _("%(removed)s Dateien entfernt, %(kept)s bleiben.")
        )  # fmt: skip
        self.stdout.write(summary % {"removed": removed, "kept": kept})
