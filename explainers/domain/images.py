"""Lead images: what an upload may be, the clean copy that is stored, and its renditions.

Every way in (the admin form, the importer) goes through `clean_image`: the size is
checked before Pillow reads a byte, the pixel count from the header before anything is
decoded, and only JPEG, PNG and WebP are opened at all (Pillow's own detection, never the
name or the browser's content type). What is stored is a fresh encoding of the pixels –
upright, with the colour profile, without EXIF (GPS), XMP or comments – so a file that is
also something else (a GIF/HTML polyglot) is never served as it was uploaded.

Renditions are named after the original (`renditions_folder/<stem>-<width>w<ext>` beside
it), so nothing about them is stored in the database. Files go through the storage API only.
"""

from __future__ import annotations

import io
import logging
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
RENDITION_WIDTHS = (480, 960, 1600)
RENDITIONS_FOLDER = "renditions"
# The reader page's text column: site.css's --measure (42rem) less the page padding (2rem),
# at its root font size of 18px; `sizes` counts rem from the browser's 16px, hence pixels.
SIZES = "(min-width: 756px) 720px, calc(100vw - 36px)"
JPEG_QUALITY = 85
WEBP_QUALITY = 82
_RENDITION_RE = re.compile(r"(?P<stem>.+)-(?P<width>[1-9][0-9]*)w(?P<ext>\.[^./]+)")
_ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height


class ImageRefused(Exception):
    """An image that is not stored; the message is for the editor."""


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    name: str  # the uploaded name with the extension of the format actually found
    format: str
    width: int
    height: int

    def as_file(self) -> ContentFile:
        return ContentFile(self.content, name=self.name)


def lead_image_storage() -> Storage:
    from explainers.models import (
        Explainer,  # models import nothing from here; keep this module light
    )

    return Explainer._meta.get_field("image").storage


def upload_folder() -> str:
    """The folder every uploaded lead image lands under ("explainers/" for
    upload_to="explainers/%Y/%m/")."""
    from explainers.models import Explainer

    upload_to = Explainer._meta.get_field("image").upload_to
    return upload_to.split("%", 1)[0].rsplit("/", 1)[0] + "/"


def clean_image(file, name: str) -> CleanImage:
    """The stored form of an uploaded image, or ImageRefused with the reason in German."""
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, os.SEEK_END)
        size = file.tell()
    if size > settings.IMAGE_MAX_BYTES:
        raise ImageRefused(
            _("Das Bild ist %(size)s groß; erlaubt sind höchstens %(limit)s.")
            % {"size": _megabytes(size), "limit": _megabytes(settings.IMAGE_MAX_BYTES)}
        )
    file.seek(0)
    try:
        with Image.open(file, formats=ACCEPTED_FORMATS) as image:
            _check_pixels(*image.size)
            if getattr(image, "is_animated", False):
                raise ImageRefused(
                    _("Bewegte Bilder (Animationen) sind als Aufmacherbild nicht möglich.")
                )
            found = image.format
            profile = image.info.get("icc_profile")
            image.load()
            upright = ImageOps.exif_transpose(image)
    except UnidentifiedImageError as error:
        raise ImageRefused(
            _(
                "Nur Bilder im Format JPEG, PNG oder WebP sind möglich; diese Datei ist "
                "keines davon."
            )
        ) from error
    except Image.DecompressionBombError as error:
        raise ImageRefused(_too_many_pixels_message()) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise ImageRefused(
            _("Das Bild lässt sich nicht lesen (beschädigt oder unvollständig).")
        ) from error
    try:
        content = encode(upright, found, profile)
    except (OSError, ValueError) as error:  # a mode this format cannot be written in
        raise ImageRefused(_("Das Bild lässt sich nicht verarbeiten.")) from error
    stem = PurePosixPath(name.replace("\\", "/")).stem or "bild"
    return CleanImage(content, stem + EXTENSIONS[found], found, *upright.size)


def encode(image: Image.Image, found: str, profile: bytes | None) -> bytes:
    """The pixels in the same format family, with the colour profile and nothing else."""
    if "transparency" in image.info or image.mode in ("P", "PA"):
        image = image.convert("RGBA")
    if found == "JPEG" and image.mode not in ("L", "RGB", "CMYK"):
        image = image.convert("RGB")
    if found == "PNG" and image.mode not in ("1", "L", "LA", "I;16", "RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.mode else "RGB")
    if found == "WEBP" and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.mode else "RGB")
    image.info = {}  # Pillow would carry comments and XMP over from the source
    options: dict = {"icc_profile": profile} if profile else {}
    if found == "JPEG":
        options |= {"quality": JPEG_QUALITY, "optimize": True, "progressive": True}
    elif found == "WEBP":
        options |= {"quality": WEBP_QUALITY, "method": 4}
    else:
        options |= {"optimize": True}
    buffer = io.BytesIO()
    image.save(buffer, found, **options)
    return buffer.getvalue()


def upload_rules() -> str:
    """What an upload may be, in the editor's words (the field's help text)."""
    return _("JPEG, PNG oder WebP, höchstens %(size)s und %(pixels)s Megapixel.") % {
        "size": _megabytes(settings.IMAGE_MAX_BYTES),
        "pixels": f"{settings.IMAGE_MAX_PIXELS / 1_000_000:g}".replace(".", ","),
    }


def _check_pixels(width: int, height: int) -> None:
    if width * height > settings.IMAGE_MAX_PIXELS:
        raise ImageRefused(_too_many_pixels_message(width, height))


def _too_many_pixels_message(width: int | None = None, height: int | None = None) -> str:
    limit = f"{settings.IMAGE_MAX_PIXELS / 1_000_000:g}".replace(".", ",")
    if width is None:
        return _("Das Bild hat zu viele Pixel; erlaubt sind höchstens %(limit)s Megapixel.") % {
            "limit": limit
        }
    return _(
        "Das Bild hat %(width)s × %(height)s Pixel; erlaubt sind höchstens %(limit)s Megapixel."
    ) % {"width": width, "height": height, "limit": limit}


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB".replace(".", ",")


# --- renditions -----------------------------------------------------------------------------


def rendition_name(name: str, width: int) -> str:
    path = PurePosixPath(name)
    return str(path.parent / RENDITIONS_FOLDER / f"{path.stem}-{width}w{path.suffix}")


def original_of(name: str) -> str | None:
    """The original a rendition name belongs to, or None for any other name."""
    path = PurePosixPath(name)
    match = _RENDITION_RE.fullmatch(path.name)
    if path.parent.name != RENDITIONS_FOLDER or match is None:
        return None
    return str(path.parent.parent / f"{match['stem']}{match['ext']}")


def rendition_widths(width: int) -> list[int]:
    """The rendition widths for an original this wide: never wider than the original."""
    return [w for w in RENDITION_WIDTHS if w < width]


def smallest_name(name: str, width: int) -> str:
    """The smallest stored size of an original this wide: a rendition, or itself."""
    widths = rendition_widths(width)
    return rendition_name(name, widths[0]) if widths else name


def missing_renditions(name: str, storage: Storage | None = None) -> list[int]:
    """Widths whose rendition is not stored yet (the original must be readable)."""
    storage = storage or lead_image_storage()
    size = image_size(name, storage)
    if size is None:
        raise _unreadable(name)
    return [w for w in rendition_widths(size[0]) if not storage.exists(rendition_name(name, w))]


def write_renditions(name: str, storage: Storage | None = None) -> int:
    """Store the missing renditions of a stored original; returns how many were written.
    The original is opened once: object storage sends all of it for every open."""
    storage = storage or lead_image_storage()
    with _opened(name, storage) as (image, size):
        widths = [
            w for w in rendition_widths(size[0]) if not storage.exists(rendition_name(name, w))
        ]
        if not widths:
            return 0
        found = image.format
        profile = image.info.get("icc_profile")
        image.load()
        upright = ImageOps.exif_transpose(image)
    for width in widths:
        height = max(1, round(upright.height * width / upright.width))
        smaller = upright.resize((width, height), Image.Resampling.LANCZOS)
        target = rendition_name(name, width)
        saved = storage.save(target, ContentFile(encode(smaller, found, profile)))
        if saved != target:  # written meanwhile by someone else: theirs stays
            storage.delete(saved)
    return len(widths)


def ensure_renditions(name: str) -> None:
    """Before a page lists an image's sizes (publishing): write any that are missing, as
    for an image uploaded before renditions existed. An unreadable file is logged; the
    page then offers what is stored."""
    try:
        write_renditions(name)
    except ImageRefused:
        logger.warning("image %s cannot be read: no renditions written", name)


def delete_with_renditions(name: str, storage: Storage | None = None) -> None:
    storage = storage or lead_image_storage()
    for candidate in [name, *(rendition_name(name, w) for w in RENDITION_WIDTHS)]:
        storage.delete(candidate)


def image_size(name: str, storage: Storage | None = None) -> tuple[int, int] | None:
    """Width and height as a browser shows the stored image, from its header only; None
    if it is missing or unreadable."""
    storage = storage or lead_image_storage()
    try:
        with _opened(name, storage) as (_image, size):
            return size
    except ImageRefused:
        return None


@contextmanager
def _opened(name: str, storage: Storage) -> Iterator[tuple[Image.Image, tuple[int, int]]]:
    """The stored image, not yet decoded, with its size as a browser shows it; ImageRefused
    if it is missing or its header unreadable."""
    try:
        file = storage.open(name)
    # SuspiciousOperation: a name that points out of the storage (an old import's)
    except (OSError, ValueError, SuspiciousOperation) as error:
        raise _unreadable(name) from error
    with file:
        try:
            image = Image.open(file, formats=ACCEPTED_FORMATS)
            width, height = image.size
            orientation = image.getexif().get(ExifTags.Base.Orientation)
        except (OSError, ValueError, Image.DecompressionBombError) as error:
            raise _unreadable(name) from error
        with image:
            yield image, ((height, width) if orientation in _ROTATED else (width, height))


def _unreadable(name: str) -> ImageRefused:
    return ImageRefused(_("Das Bild „%(name)s“ lässt sich nicht lesen.") % {"name": name})


# --- reader pages ---------------------------------------------------------------------------


def image_sources(image: dict, storage: Storage | None = None) -> dict:
    """URLs for an `<img>`: src, srcset and sizes, and the smallest one as a thumbnail.

    Documents published before sizes were recorded have no `width`: they get the original
    alone, as before.
    """
    storage = storage or lead_image_storage()
    src = image["src"]
    url = storage.url(src)
    width = _positive(image.get("width"))
    if width is None:
        return {"url": url, "srcset": "", "sizes": "", "thumbnail_url": url}
    smaller = [(storage.url(rendition_name(src, w)), w) for w in rendition_widths(width)]
    candidates = [*smaller, (url, width)]
    return {
        "url": url,
        "srcset": ", ".join(f"{candidate} {w}w" for candidate, w in candidates),
        "sizes": SIZES,
        "thumbnail_url": storage.url(smallest_name(src, width)),
    }


def renditions(image: dict, storage: Storage | None = None) -> list[dict]:
    """The smaller sizes stored beside an image (write_renditions), smallest first: URL
    (the storage's, absolute for object storage), width and height. Documents published
    before sizes were recorded have none."""
    storage = storage or lead_image_storage()
    width, height = _positive(image.get("width")), _positive(image.get("height"))
    if not image.get("src") or width is None or height is None:
        return []
    return [
        {
            "url": storage.url(rendition_name(image["src"], w)),
            "width": w,
            "height": max(1, round(height * w / width)),
        }
        for w in rendition_widths(width)
    ]


def _positive(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def stored_names(storage: Storage, folder: str) -> Iterable[str]:
    """Every file under `folder` of the storage, through listdir (object storage has no
    folders of its own: a missing one lists nothing there, and nothing here)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for file in files:
        yield f"{folder.rstrip('/')}/{file}"
    for sub in folders:
        yield from stored_names(storage, f"{folder.rstrip('/')}/{sub}")
