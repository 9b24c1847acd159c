"""The production settings for the servers of loadtest/cache_outage.py, with one change: the
collected static files live in the scenario's own folder (NEWSROOM_OUTAGE_STATIC_ROOT), never
in the project's staticfiles/, so a run leaves the checkout as it was."""

import os

from newsroom.settings import *  # noqa: F403

STATIC_ROOT = os.environ["NEWSROOM_OUTAGE_STATIC_ROOT"]
