"""App configs the project gives Django's own apps."""

from django.contrib.flatpages.apps import FlatPagesConfig
from django.utils.translation import gettext_lazy as _


class LegalPagesConfig(FlatPagesConfig):
    """Django's flat pages hold only Impressum and Datenschutz here
    (explainers/desk/admin_pages.py). Django's German catalogue leaves "Flat Pages" English,
    so the admin's index, sidebar, list and change pages take these names instead (the
    name the seeded pages already give: "im Admin unter „Statische Seiten“").

    The model's names are set on its `_meta` only, not in its Meta: migrations read a model's
    declared options (`original_attrs`), so Django's flatpages migrations stay as they are.
    """

    verbose_name = _("Statische Seiten")

    def ready(self):
        super().ready()
        options = self.get_model("FlatPage")._meta
        options.verbose_name = _("Statische Seite")
        options.verbose_name_plural = _("Statische Seiten")
