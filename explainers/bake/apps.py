from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BakeConfig(AppConfig):
    """The optional static copy (`manage.py bake`): without this app in INSTALLED_APPS there
    is no bake command and nothing re-bakes after a change."""

    name = "explainers.bake"
    label = "explainers_bake"
    verbose_name = _("Statische Kopie")

    def ready(self) -> None:
        from explainers.bake import receivers  # noqa: F401 – re-bake after each change
