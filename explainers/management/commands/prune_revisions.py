from django.core.management.base import BaseCommand, CommandError

from explainers.domain.retention import prune_revisions


class Command(BaseCommand):
    help = (
        "Löscht alte Zwischen-Revisionen. Nie gelöscht werden die neuesten N je Erklärstück "
        "und jede Revision, aus der veröffentlicht wurde, die geplant ist oder auf der ein "
        "ungespeicherter Entwurf beruht. Entfernt zuerst abgelaufene Entwürfe."
    )

    def add_arguments(self, parser):
        parser.add_argument("--keep", type=int, default=50, help="neueste N behalten (≥ 1)")
        parser.add_argument("--days", type=int, help="nur Revisionen älter als so viele Tage")
        parser.add_argument("--dry-run", action="store_true", help="nur zählen, nichts löschen")

    def handle(self, keep, days, dry_run, **options):
        if keep < 1:
            raise CommandError("--keep braucht eine ganze Zahl ≥ 1.")
        if days is not None and days < 0:
            raise CommandError("--days braucht eine ganze Zahl ≥ 0.")
        report = prune_revisions(keep_latest=keep, older_than_days=days, dry_run=dry_run)
        verb = "würden gelöscht" if dry_run else "gelöscht"
        self.stdout.write(
            f"{report.pruned} Revisionen {verb}, {report.kept} behalten "
            f"({report.explainers} Erklärstücke)."
        )
        if report.drafts_expired:
            self.stdout.write(f"{report.drafts_expired} abgelaufene Entwürfe entfernt.")
