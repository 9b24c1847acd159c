"""Impressum and Datenschutz render with the site's page template only: a template chosen in
Django's own flat page admin (which the project no longer offers) is cleared."""

from django.db import migrations


def clear_templates(apps, schema_editor):
    FlatPage = apps.get_model("flatpages", "FlatPage")
    FlatPage.objects.exclude(template_name="").update(template_name="")


class Migration(migrations.Migration):
    dependencies = [
        ("explainers", "0011_redaction_identifiers"),
        ("flatpages", "0001_initial"),
    ]

    operations = [migrations.RunPython(clear_templates, migrations.RunPython.noop)]
