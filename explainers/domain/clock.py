"""The time stamps the product stores, at millisecond precision: Django's JSON
serialiser (dumpdata, the documented backup) keeps milliseconds only, so finer stamps
would come back different from a restore, and with them every page that shows them."""

from __future__ import annotations

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    moment = timezone.now()
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
