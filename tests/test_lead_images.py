"""Lead images: what an upload may be, what is stored of it, its sizes on the page, and the
two commands that backfill sizes and clear away what nothing names any more."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from lxml import html as lxml_html
from PIL import ExifTags, Image, ImageCms

from explainers.core.textformat import TextFormatError
from explainers.domain.images import write_renditions
from explainers.domain.importing import ImportRefused, import_document, import_file
from explainers.domain.publishing import publish
from explainers.domain.revisions import revisions_of
from explainers.models import Explainer
from tests.admin_forms import change_form_data, encode
from tests.factories import make_document, make_explainer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def picture(fmt="PNG", size=(40, 20), **options) -> bytes:
    """A picture whose left half is red and right half blue."""
    image = Image.new("RGB", size, "blue")
    image.paste("red", (0, 0, size[0] // 2, size[1]))
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a size in its header and holds (almost) no pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def stored_files(media: Path) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def upload(client, explainer, content: bytes, name="karte.png", content_type="image/png", **main):
    data = encode(change_form_data(explainer))
    data |= {"image_alt": "Karte der Ukraine", "headline": "Neue Überschrift, getippt"} | main
    data["image"] = SimpleUploadedFile(name, content, content_type=content_type)
    change = reverse("admin:explainers_explainer_change", args=[explainer.pk])
    return client.post(change, data)


def refused(response, explainer, media, message: str) -> None:
    """The form comes back with the German reason at the image, keeps what was typed, and
    nothing was written: no file, no change to the explainer."""
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Neue Überschrift, getippt" in page
    explainer.refresh_from_db()
    assert explainer.headline != "Neue Überschrift, getippt"
    assert not explainer.image
    assert stored_files(media) == []


# --- what an upload may be ------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(client, desk, settings, media):
    settings.IMAGE_MAX_BYTES = 2_000
    explainer = make_explainer()
    client.force_login(desk)
    big = picture(size=(400, 400), compress_level=0)
    assert len(big) > 2_000
    refused(upload(client, explainer, big), explainer, media, "erlaubt sind höchstens 0,0 MB")


def test_an_image_with_too_many_pixels_is_refused(client, desk, settings, media):
    settings.IMAGE_MAX_PIXELS = 5_000
    explainer = make_explainer()
    client.force_login(desk)
    response = upload(client, explainer, picture(size=(100, 100)))
    refused(response, explainer, media, "100 × 100 Pixel; erlaubt sind höchstens 0,005")


def test_a_tiny_file_claiming_a_gigantic_size_is_refused_without_decoding(client, desk, media):
    explainer = make_explainer()
    client.force_login(desk)
    bomb = png_header_only(100_000, 100_000)
    assert len(bomb) < 100
    refused(upload(client, explainer, bomb), explainer, media, "zu viele Pixel")
    refused(
        upload(client, explainer, png_header_only(8_000, 6_000)),
        explainer,
        media,
        "8000 × 6000 Pixel; erlaubt sind höchstens 40 Megapixel",
    )


GIF = picture("GIF")
EPS = (
    b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n%%EndComments\n"
    b"newpath 0 0 moveto 10 10 lineto stroke\nshowpage\n%%EOF\n"
)
POLYGLOT = GIF + b"<html><script>alert(document.cookie)</script></html>"


@pytest.mark.parametrize(
    "content, name, content_type",
    [
        (GIF, "animation.gif", "image/gif"),
        (EPS, "grafik.eps", "application/postscript"),
        (EPS, "grafik.jpg", "image/jpeg"),
        (POLYGLOT, "foto.jpg", "image/jpeg"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.png", "image/png"),
    ],
    ids=["gif", "eps", "eps-named-jpg", "gif-html-polyglot-named-jpg", "svg-named-png"],
)
def test_only_jpeg_png_and_webp_are_taken_whatever_the_name_or_content_type_say(
    client, desk, media, content, name, content_type
):
    explainer = make_explainer()
    client.force_login(desk)
    response = upload(client, explainer, content, name=name, content_type=content_type)
    refused(response, explainer, media, "Nur Bilder im Format JPEG, PNG oder WebP")


def test_a_jpeg_carrying_html_is_stored_as_pixels_only(client, desk, media):
    explainer = make_explainer()
    client.force_login(desk)
    carrier = picture("JPEG", comment=b"<script>alert(1)</script>")
    assert b"<script>" in carrier
    assert upload(client, explainer, carrier, name="foto.html").status_code == 302
    explainer.refresh_from_db()
    assert explainer.image.name.endswith("/foto.jpg")  # the format found names the file
    assert b"<script>" not in (media / explainer.image.name).read_bytes()


# --- what is stored -------------------------------------------------------------------------


def test_an_exif_rotated_photo_is_stored_upright_with_its_profile_and_without_gps(
    client, desk, media
):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # "rotate 90° clockwise to show"
    exif[ExifTags.Base.Make] = "Kamera"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({1: "N", 2: (52.0, 31.0, 12.0)})
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    photo = picture("JPEG", size=(40, 20), exif=exif.tobytes(), icc_profile=profile)
    with Image.open(io.BytesIO(photo)) as original:
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test photo has GPS
    explainer = make_explainer()
    client.force_login(desk)
    assert upload(client, explainer, photo, name="foto.jpg").status_code == 302
    explainer.refresh_from_db()
    with Image.open(media / explainer.image.name) as stored:
        assert (stored.format, stored.size) == ("JPEG", (20, 40))
        assert stored.info.get("icc_profile") == profile
        assert not stored.getexif()  # neither GPS, nor camera, nor orientation
        top, bottom = stored.convert("RGB").getpixel((10, 5)), stored.getpixel((10, 35))
    assert top[0] > 200 and top[2] < 80  # the red left half is now on top
    assert bottom[2] > 200 and bottom[0] < 80


@pytest.mark.parametrize("fmt, suffix", [("PNG", ".png"), ("WEBP", ".webp"), ("JPEG", ".jpg")])
def test_each_format_stays_in_its_family(client, desk, media, fmt, suffix):
    explainer = make_explainer()
    client.force_login(desk)
    assert upload(client, explainer, picture(fmt), name="bild.dat").status_code == 302
    explainer.refresh_from_db()
    assert explainer.image.name.endswith(suffix)
    with Image.open(media / explainer.image.name) as stored:
        assert stored.format == fmt


# --- sizes on the page, in diffs and in the form --------------------------------------------


def test_renditions_are_made_at_upload_and_the_page_offers_them_with_its_size(client, desk, media):
    explainer = make_explainer()
    client.force_login(desk)
    assert upload(client, explainer, picture(size=(1200, 600)), name="karte.png").status_code == 302
    explainer.refresh_from_db()
    name = explainer.image.name
    folder, stem = str(Path(name).parent), Path(name).stem
    assert stored_files(media) == sorted(
        [name, f"{folder}/renditions/{stem}-480w.png", f"{folder}/renditions/{stem}-960w.png"]
    )  # never wider than the original: no 1600
    with Image.open(media / folder / "renditions" / f"{stem}-480w.png") as small:
        assert small.size == (480, 240)
    publish(explainer)
    page = client.get(reverse("explainers:detail", args=[explainer.slug])).content.decode()
    img = lxml_html.fromstring(page).find(".//figure/img")
    assert (img.get("width"), img.get("height")) == ("1200", "600")
    assert img.get("srcset") == (
        f"/media/{folder}/renditions/{stem}-480w.png 480w, "
        f"/media/{folder}/renditions/{stem}-960w.png 960w, /media/{name} 1200w"
    )
    assert img.get("sizes") and img.get("src") == f"/media/{name}"
    assert '<meta property="og:image:width" content="1200">' in page


def test_a_publication_from_before_sizes_were_recorded_still_shows_its_image(client):
    explainer = make_explainer(image={"src": "bilder/alt.jpg", "alt": "Altes Bild"})
    publication = publish(explainer)
    assert "width" not in publication.document["image"]
    page = client.get(reverse("explainers:detail", args=[explainer.slug])).content.decode()
    img = lxml_html.fromstring(page).find(".//figure/img")
    assert img.get("src") == "/media/bilder/alt.jpg" and img.get("alt") == "Altes Bild"
    assert img.get("srcset") is None and img.get("width") is None


def test_the_diff_and_the_compare_show_the_old_and_new_image_small(client, desk, media):
    explainer = make_explainer()
    client.force_login(desk)
    upload(client, explainer, picture(size=(1000, 500)), name="erstes.png")
    publish(explainer)
    upload(client, explainer, picture(size=(1000, 500)), name="zweites.png")
    publish(explainer, note="Ein anderes Bild.")
    explainer.refresh_from_db()
    diff = client.get(reverse("explainers:diff", args=[explainer.slug, "1..2"]))
    tree = lxml_html.fromstring(diff.content.decode())
    old = tree.find(".//del[@class='diff-thumbnail']/img").get("src")
    new = tree.find(".//ins[@class='diff-thumbnail']/img").get("src")
    assert "/renditions/erstes" in old and old.endswith("-480w.png")
    assert new == "/media/" + str(Path(explainer.image.name).parent) + (
        f"/renditions/{Path(explainer.image.name).stem}-480w.png"
    )
    assert (media / new.removeprefix("/media/")).is_file()
    change = reverse("admin:explainers_explainer_change", args=[explainer.pk])
    form_page = client.get(change).content.decode()
    assert "JPEG, PNG oder WebP, höchstens 10,0 MB und 40 Megapixel." in form_page
    form = lxml_html.fromstring(form_page)
    assert form.find(".//img[@class='lead-image-thumbnail']").get("src") == new
    first, *_, last = revisions_of(explainer).order_by("pk")
    compare = reverse("admin:explainers_explainer_compare", args=[explainer.pk])
    page = client.get(compare, {"a": first.pk, "b": last.pk}).content.decode()
    added = lxml_html.fromstring(page).find(".//ins[@class='diff-thumbnail']/img")
    assert added.get("src") == new


# --- the commands ---------------------------------------------------------------------------


def stored_original(name: str, size=(1000, 400)) -> str:
    """An image stored the way older releases did: the original only."""
    return default_storage.save(name, ContentFile(picture(size=size)))


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_make_renditions_backfills_older_images_once(media):
    name = stored_original("explainers/2025/01/alt.png")
    make_explainer(image={"src": name, "alt": "Alt"})
    make_explainer(image={"src": "../ausserhalb.png", "alt": "Aus einem alten Import"})
    dry = run("make_renditions", "--dry-run")
    assert "Würde erzeugen: explainers/2025/01/renditions/alt-480w.png" in dry
    assert stored_files(media) == [name]
    first = run("make_renditions")
    assert "2 Größen erzeugt, 1 Dateien fehlen" in first
    assert "Fehlt: ../ausserhalb.png" in first
    assert stored_files(media) == sorted(
        [
            name,
            "explainers/2025/01/renditions/alt-480w.png",
            "explainers/2025/01/renditions/alt-960w.png",
        ]
    )
    assert "0 Größen erzeugt" in run("make_renditions")


def test_publishing_an_older_image_writes_the_sizes_its_page_lists(client, desk, media):
    name = stored_original("explainers/2025/01/vorher.png", size=(1000, 400))
    explainer = make_explainer(image={"src": name, "alt": "Vorher"})
    publish(explainer, user=desk)
    page = lxml_html.fromstring(client.get(f"/explainers/{explainer.slug}/").content.decode())
    srcset = page.find(".//figure[@class='lead-image']/img").get("srcset")
    listed = [entry.split()[0].removeprefix("/media/") for entry in srcset.split(", ")]
    assert len(listed) == 3  # 480w, 960w and the original
    assert all((media / path).is_file() for path in listed), listed


def test_cleanup_media_removes_only_what_nothing_names(media):
    in_revision = stored_original("explainers/2025/01/frueher.png")
    explainer = make_explainer(image={"src": in_revision, "alt": "Früher"})
    published = stored_original("explainers/2025/02/veroeffentlicht.png")
    import_document(
        make_document(slug=explainer.slug, image={"src": published, "alt": "Jetzt"}), replace=True
    )
    publish(explainer)
    current = stored_original("explainers/2025/03/aktuell.png")
    Explainer.objects.filter(pk=explainer.pk).update(image=current)
    # Left by a save that failed after storing, or named only by pruned revisions.
    orphan = stored_original("explainers/2025/03/verwaist.png")
    write_renditions(orphan)
    run("make_renditions")
    before = stored_files(media)
    assert len(before) == 4 * 3

    dry = run("cleanup_media", "--dry-run", "--min-age-minutes", "0")
    assert stored_files(media) == before
    would = sorted(line.split(": ", 1)[1] for line in dry.splitlines() if "Würde entfernen" in line)
    orphan_files = [orphan] + [
        f"explainers/2025/03/renditions/verwaist-{w}w.png" for w in (480, 960)
    ]
    assert would == sorted(orphan_files)

    assert "3 Dateien entfernt" in run("cleanup_media", "--min-age-minutes", "0")
    assert stored_files(media) == sorted(set(before) - set(orphan_files))
    assert in_revision in stored_files(media)  # only an old revision names it: a revert could


def test_cleanup_media_leaves_files_younger_than_a_running_save(media):
    orphan = stored_original("explainers/2025/03/gerade-hochgeladen.png")
    assert "0 Dateien entfernt" in run("cleanup_media")
    assert stored_files(media) == [orphan]


# --- the importer's "Bild:" line ------------------------------------------------------------


def text_file(tmp_path: Path, image_line: str, slug="mit-bild") -> Path:
    path = tmp_path / "import.txt"
    path.write_text(
        f"Titel: Mit Bild\nSlug: {slug}\n{image_line}\nBild-Alt: Ein Bild\n\n"
        "Worum es geht.\n\nWas ist passiert?\nEtwas.\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "path", ["../../etc/passwd", "/etc/passwd", "bilder/../../geheim.jpg", "C:\\bilder\\a.jpg"]
)
def test_the_importer_refuses_a_path_out_of_the_media_folder(tmp_path, path):
    with pytest.raises(TextFormatError, match=r"Zeile 3 \(„Bild: .*“\): Der Bildpfad muss"):
        import_file(text_file(tmp_path, f"Bild: {path}"))
    assert not Explainer.objects.exists()


def test_the_importer_refuses_a_symlink_out_of_the_media_folder(tmp_path, media):
    secret = tmp_path / "geheim.png"
    secret.write_bytes(picture())
    (media / "bilder").mkdir()
    (media / "bilder" / "link.png").symlink_to(secret)
    with pytest.raises(ImportRefused, match="Zeile 3 .*außerhalb des Medienordners"):
        import_file(text_file(tmp_path, "Bild: bilder/link.png"))
    with pytest.raises(ImportRefused, match="Zeile 3 .*gibt es diese Datei nicht"):
        import_file(text_file(tmp_path, "Bild: bilder/fehlt.png"))
    assert not Explainer.objects.exists()


def test_the_importer_stores_the_named_file_as_an_upload_would_be(tmp_path, media, settings):
    (media / "eingang").mkdir()
    (media / "eingang" / "foto.png").write_bytes(picture(size=(600, 300)))
    report = import_file(text_file(tmp_path, "Bild: eingang/foto.png"))
    stored = report.explainer.image.name
    assert stored.startswith("explainers/") and stored.endswith("/foto.png")
    folder = Path(stored).parent
    assert (media / folder / "renditions" / "foto-480w.png").is_file()
    publication = publish(report.explainer)
    assert (publication.document["image"]["width"], publication.document["image"]["height"]) == (
        600,
        300,
    )

    # A re-import of the same text keeps the file it stored; a refused import stores nothing.
    exported = text_file(tmp_path, f"Bild: {stored}")
    import_file(exported, replace=True)
    assert Explainer.objects.get().image.name == stored
    files = stored_files(media)
    with pytest.raises(ImportRefused, match="gibt es schon"):
        import_file(text_file(tmp_path, "Bild: eingang/foto.png"))
    assert stored_files(media) == files
    settings.IMAGE_MAX_PIXELS = 1_000
    with pytest.raises(ImportRefused, match=r"Zeile 3 \(„Bild: eingang/foto.png“\): .*Pixel"):
        import_file(text_file(tmp_path, "Bild: eingang/foto.png", slug="anderes"))
    assert stored_files(media) == files
