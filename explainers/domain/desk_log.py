"""One log line per desk action that changes what readers see or what is stored:
publish, revert, withdraw, redact, with who did it (the request id comes from the
logging setup, see newsroom/request_log.py)."""

from __future__ import annotations

import logging

logger = logging.getLogger("newsroom.desk")


def desk_action(action: str, explainer, user=None, **details) -> None:
    who = user.get_username() if user is not None else "system"
    extra = "".join(f" {name}={value}" for name, value in details.items())
    logger.info("%s explainer=%s id=%s by=%s%s", action, explainer.slug, explainer.pk, who, extra)
