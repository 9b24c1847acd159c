from django.conf import settings
from django.templatetags.static import static
from django.utils.translation import gettext


def site(request):
    return {
        # The default name has an English translation; a deployment's own name stays as
        # given unless the catalogue has it too.
        "site_name": gettext(settings.PUBLISHER_NAME),
        "site_logo": static(settings.PUBLISHER_LOGO),
    }
