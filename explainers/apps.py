from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExplainersConfig(AppConfig):
    name = "explainers"
    verbose_name = _("Erklärstücke")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import newsroom.checks  # noqa: F401 – registers the settings checks

        from . import checks, receivers  # noqa: F401 – the base-URL check; the receivers
