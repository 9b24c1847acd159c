from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExplainersConfig(AppConfig):
    name = "explainers"
    verbose_name = _("Erklärstücke")
    default_auto_field = "django.db.models.BigAutoField"
