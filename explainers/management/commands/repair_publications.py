from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _
from reversion.models import Version

from explainers.domain import reader_changes, signals
from explainers.domain.identifier_repair import Models, repair_identifiers
from explainers.domain.revisions import restamp_referrers, stamp
from explainers.domain.search import index_publication
from explainers.models import CurrentPublication, Explainer, Publication, Question, RevisionRows


class Command(BaseCommand):
    help = (
        "Repariert gespeicherte Kurznamen und Sprungmarken, die keine Adresse tragen kann "
        "(etwa von einer früheren Schwärzung): in Veröffentlichungen, Arbeitsstand und "
        "Revisionen. Mehrfaches Ausführen schadet nicht."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?", help="nur dieses Erklärstück (Kurzname)")
        parser.add_argument("--dry-run", action="store_true", help="nur anzeigen, nichts ändern")

    def handle(self, slug=None, dry_run=False, **options):
        models = Models(
            Explainer, Question, Publication, CurrentPublication, Version, ContentType, RevisionRows
        )
        with transaction.atomic():
            repair = repair_identifiers(models, slug=slug, dry_run=dry_run)
            if not dry_run:
                for explainer in Explainer.objects.filter(pk__in=repair.explainer_ids):
                    _renew(explainer)
        for line in repair.lines:
            self.stdout.write(line)
        if not repair.lines:
            self.stdout.write(_("Nichts zu reparieren."))
        elif dry_run:
            self.stdout.write(_("Probelauf: nichts wurde geändert."))
        else:
            self.stdout.write(
                _("Repariert: %(n)s Erklärstück(e).") % {"n": len(repair.explainer_ids)}
            )


def _renew(explainer: Explainer) -> None:
    """What follows from the stored copies: hashes, search, readers' caches, the bake."""
    stamp(explainer)
    restamp_referrers(explainer)
    current = CurrentPublication.objects.filter(explainer=explainer).first()
    if current is not None and not current.is_withdrawn:
        index_publication(current.publication)
    reader_changes.stamp([explainer.pk])
    signals.send(signals.publications_repaired, explainer)
