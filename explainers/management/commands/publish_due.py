import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from explainers.domain.scheduling import publish_due
from explainers.management.database_outage import database_outage_reported


class Command(BaseCommand):
    help = (
        "Veröffentlicht fällige geplante Fassungen und nennt den Grund für jede übersprungene. "
        "Für cron gedacht; mit --every läuft der Befehl dauerhaft."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=int, metavar="SECONDS", help="alle SECONDS Sekunden wiederholen"
        )

    def handle(self, every, **options):
        if every is not None and every < 1:
            raise CommandError("--every braucht eine ganze Zahl von Sekunden ≥ 1.")
        while True:
            try:
                with database_outage_reported(_("nichts wurde veröffentlicht.")):
                    outcomes = publish_due()
            except CommandError as outage:
                if every is None:
                    raise
                # the long-running form keeps going: the next round retries
                self.stderr.write(str(outage))
                connections.close_all()
                time.sleep(every)
                continue
            for outcome in outcomes:
                self.stdout.write(outcome.line())
            if every is None:
                if not outcomes:
                    self.stdout.write("Nichts fällig.")
                return
            time.sleep(every)
