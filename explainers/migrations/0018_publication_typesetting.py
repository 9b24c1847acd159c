from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("explainers", "0017_drafts"),
    ]

    operations = [
        # Existing publications keep 0: they render exactly as before (typography.PLAIN).
        migrations.AddField(
            model_name="publication",
            name="typesetting",
            field=models.PositiveSmallIntegerField(default=0, editable=False, verbose_name="Satz"),
        ),
    ]
