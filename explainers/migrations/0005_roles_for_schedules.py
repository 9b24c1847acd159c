from django.db import migrations


def update_roles(apps, schema_editor):
    from explainers.domain.roles import setup_roles

    setup_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("explainers", "0004_scheduled_publication")]

    operations = [migrations.RunPython(update_roles, migrations.RunPython.noop)]
