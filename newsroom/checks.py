"""System checks for settings that the environment can get wrong in ways a start-up
error alone would not explain."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security)
def proxy_count_is_gone(app_configs, **kwargs):
    """DJANGO_PROXY_COUNT trusted the address a fixed number of hops from the right of
    X-Forwarded-For, whoever wrote it; ignoring it quietly would leave such a deployment
    counting every client as the proxy."""
    if not settings.LEGACY_PROXY_COUNT:
        return []
    return [
        Error(
            f"DJANGO_PROXY_COUNT={settings.LEGACY_PROXY_COUNT} is no longer read: the login "
            "limit would count every client as the proxy.",
            hint="Remove DJANGO_PROXY_COUNT and set DJANGO_TRUSTED_PROXIES to your proxies' "
            "networks, e.g. DJANGO_TRUSTED_PROXIES=127.0.0.1/32 for nginx on this host.",
            id="newsroom.E001",
        )
    ]
