"""What happened on the reader side, said once, for everything that follows from it.

Publishing, withdrawing, redacting and repairing send these inside their transaction;
receivers (explainers/receivers.py, connected in the app config) act after the commit:
the workers' held pages, the bake, the caches in front. They are sent with
`send_robust`, so a receiver that fails is logged and never undoes the change.

Every signal carries `explainer` and `slugs`: the public slugs whose pages changed
(current, earlier and removed ones).
"""

from __future__ import annotations

import logging

from django.dispatch import Signal

logger = logging.getLogger(__name__)

# publication: the new Publication
explainer_published = Signal()
# current: the CurrentPublication, now withdrawn
explainer_withdrawn = Signal()
# redaction: the Redaction record; removed_slugs: names the redaction took away;
# referrers: ids of other explainers whose pages named this one
explainer_redacted = Signal()
# stored copies repaired (manage.py repair_publications)
publications_repaired = Signal()

READER_SIGNALS = (
    explainer_published,
    explainer_withdrawn,
    explainer_redacted,
    publications_repaired,
)


def send(signal: Signal, explainer, **details) -> None:
    for receiver, outcome in signal.send_robust(sender=type(explainer), explainer=explainer,
                                               **details):  # fmt: skip
        if isinstance(outcome, Exception):
            logger.error(
                "receiver %r of %s failed for explainer %s",
                receiver, signal, explainer.pk, exc_info=outcome,
            )  # fmt: skip


# One log line per desk action that changes what readers see or what is stored: publish,
# revert, withdraw, redact, with who did it (the request id comes from the logging setup,
# see newsroom/request_log.py).
desk_logger = logging.getLogger("newsroom.desk")


def desk_action(action: str, explainer, user=None, **details) -> None:
    who = user.get_username() if user is not None else "system"
    extra = "".join(f" {name}={value}" for name, value in details.items())
    desk_logger.info(
        "%s explainer=%s id=%s by=%s%s", action, explainer.slug, explainer.pk, who, extra
    )
