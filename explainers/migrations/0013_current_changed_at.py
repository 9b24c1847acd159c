"""Reader pages' Last-Modified: when each explainer's pages last changed for readers.

Existing rows get the latest of their publication, withdrawal and redactions, in whole
seconds; from now on reader_changes.py keeps the stamps strictly increasing."""

import datetime

from django.db import migrations, models


def fill(apps, schema_editor):
    CurrentPublication = apps.get_model("explainers", "CurrentPublication")
    Redaction = apps.get_model("explainers", "Redaction")
    for current in CurrentPublication.objects.select_related("publication"):
        moments = [current.publication.published_at, current.stand_at, current.withdrawn_at]
        redacted = (
            Redaction.objects.filter(explainer_id=current.explainer_id)
            .order_by("-redacted_at")
            .values_list("redacted_at", flat=True)
            .first()
        )
        moments.append(redacted)
        latest = max(moment for moment in moments if moment is not None)
        current.changed_at = latest.replace(microsecond=0) + datetime.timedelta(
            seconds=1 if latest.microsecond else 0
        )
        current.save(update_fields=["changed_at"])


class Migration(migrations.Migration):
    dependencies = [("explainers", "0012_legal_pages_plain_template")]

    operations = [
        migrations.AddField(
            model_name="currentpublication",
            name="changed_at",
            field=models.DateTimeField(null=True, verbose_name="zuletzt geändert für Leser"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="currentpublication",
            name="changed_at",
            field=models.DateTimeField(db_index=True, verbose_name="zuletzt geändert für Leser"),
        ),
    ]
