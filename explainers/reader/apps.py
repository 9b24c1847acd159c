from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReaderConfig(AppConfig):
    """The reader side's subscriptions to the domain's signals: held pages dropped, caches
    in front purged (explainers/reader/receivers.py)."""

    name = "explainers.reader"
    label = "explainers_reader"
    verbose_name = _("Leserseite")

    def ready(self) -> None:
        from explainers.reader import receivers  # noqa: F401 – drop held pages, purge
