"""A GIN expression index for search on PostgreSQL (nothing on SQLite, which searches
differently). Kept out of the model's Meta because SQLite cannot create GIN indexes."""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

from explainers.domain.search import INDEX_NAME, german_vector


def _index():
    return GinIndex(german_vector(), name=INDEX_NAME)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("explainers", "SearchEntry"), _index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("explainers", "SearchEntry"), _index())


class Migration(migrations.Migration):
    dependencies = [("explainers", "0008_text_length_limits")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
