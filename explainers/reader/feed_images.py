"""The lead image of a feed entry with its stored sizes, as Media RSS
(https://www.rssboard.org/media-rss), which Atom feed readers understand: one
`<media:group>` of `<media:content>` elements, the original marked as the default."""

from __future__ import annotations

import mimetypes

from django.utils.feedgenerator import Atom1Feed

from explainers.domain import public_urls
from explainers.domain.images import lead_image_storage, renditions

MEDIA_RSS = "http://search.yahoo.com/mrss/"


def image_sizes(document: dict, request=None) -> list[dict]:
    """The document's image and its renditions as absolute URLs with width, height and
    type, the original last; [] without an image."""
    image = document.get("image") or {}
    if not image.get("src"):
        return []
    storage = lead_image_storage()
    original = {
        "url": storage.url(image["src"]),
        "width": image.get("width"),
        "height": image.get("height"),
        "default": True,
    }
    kind = mimetypes.guess_type(image["src"])[0] or ""
    return [
        {**size, "url": public_urls.absolute(size["url"], request), "type": kind}
        for size in [*renditions(image, storage), original]
    ]


class MediaRSSAtomFeed(Atom1Feed):
    """An Atom feed whose items may carry `image_sizes` (see image_sizes above)."""

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_RSS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        sizes = item.get("image_sizes") or []
        if not sizes:
            return
        handler.startElement("media:group", {})
        for size in sizes:
            attributes = {"url": size["url"], "medium": "image"}
            if size["type"]:
                attributes["type"] = size["type"]
            for name in ("width", "height"):
                if size.get(name):
                    attributes[name] = str(size[name])
            if size.get("default"):
                attributes["isDefault"] = "true"
            handler.addQuickElement("media:content", None, attributes)
        handler.endElement("media:group")
