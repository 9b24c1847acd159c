from django.conf import settings
from django.templatetags.static import static


def site(request):
    return {
        "site_name": settings.PUBLISHER_NAME,
        "site_logo": static(settings.PUBLISHER_LOGO),
    }
