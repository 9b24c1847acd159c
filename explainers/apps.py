from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExplainersConfig(AppConfig):
    """The app of the models, whose code lives in rooms by layer (docs/architecture.md):
    `core` (pure), `domain` (services that change state, and the signals they send),
    `desk`, `reader` and `bake`. The domain announces; the reader side and the bake
    subscribe from their own app configs (explainers.reader, explainers.bake), so the
    domain never imports them."""

    name = "explainers"
    verbose_name = _("Erklärstücke")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.formats import number_format
        from django.utils.translation import gettext

        import newsroom.checks  # noqa: F401 – registers the settings checks
        from explainers.core import translation

        translation.install(
            gettext=gettext,
            format_number=lambda value, decimal_pos, grouping: number_format(
                value, decimal_pos, force_grouping=grouping
            ),
        )
        from explainers import checks  # noqa: F401 – registers the base-URL check
