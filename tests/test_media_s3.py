"""Media on S3-compatible object storage (newsroom/media_storage.py; docs/operations.md,
"Media on object storage (S3)"), against moto's S3 server started here on 127.0.0.1 with
dummy credentials and AWS_EC2_METADATA_DISABLED=true, so nothing asks a cloud for
credentials. An upload, its renditions, the reader page, the API, the feeds, the commands
and the importer all go through the bucket; nothing lands in MEDIA_ROOT."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import feedparser
import pytest
from csp.constants import HEADER
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http import HttpResponse
from django.urls import reverse
from lxml import html as lxml_html
from PIL import Image

from explainers.domain.images import write_renditions
from explainers.domain.importing import ImportRefused, import_file
from explainers.domain.publishing import publish
from explainers.models import Explainer
from newsroom import csp
from newsroom.media_storage import media_storage, s3_storage
from tests.admin_forms import change_form_data, encode
from tests.factories import make_explainer

if os.environ.get("CI") == "true":
    from moto.server import ThreadedMotoServer  # under CI a missing moto is a failure
else:
    ThreadedMotoServer = pytest.importorskip(
        "moto.server", reason="moto[server] (requirements-dev.txt) is not installed"
    ).ThreadedMotoServer

import boto3  # noqa: E402 - after the check above, so that the reason says what is missing

pytestmark = pytest.mark.django_db

REGION = "eu-central-1"
DUMMY_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "NO_PROXY": "127.0.0.1",  # a proxy set for the machine never sees the local server
    "no_proxy": "127.0.0.1",
}


# --- the server, a bucket per test ----------------------------------------------------------


@pytest.fixture(scope="module")
def endpoint():
    """moto's S3 server on a free port of 127.0.0.1, with dummy credentials."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in DUMMY_ENVIRONMENT.items():
            patch.setenv(name, value)
        patch.setattr(logging.getLogger("werkzeug"), "level", logging.WARNING)  # a line a request
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@pytest.fixture
def s3_client(endpoint):
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION)


def media_on_s3(settings, s3_client, endpoint, tmp_path, **options) -> str:
    """A new bucket as the media storage, configured as MEDIA_STORAGE=s3 would; MEDIA_ROOT
    an empty folder that must stay empty. Returns the bucket's name."""
    bucket = f"media-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    config = s3_storage(bucket=bucket, endpoint_url=endpoint, region=REGION, **options)
    settings.STORAGES = {**settings.STORAGES, "default": config}
    return bucket


@pytest.fixture
def bucket(settings, s3_client, endpoint, tmp_path) -> str:
    """Media on S3 with the default: objects get no ACL (private, the bucket decides)."""
    return media_on_s3(settings, s3_client, endpoint, tmp_path)


@pytest.fixture
def public_bucket(settings, s3_client, endpoint, tmp_path) -> str:
    """Media on S3 whose objects are readable by anyone (AWS_DEFAULT_ACL=public-read)."""
    return media_on_s3(settings, s3_client, endpoint, tmp_path, acl="public-read")


def keys(s3_client, bucket: str) -> set[str]:
    listed = s3_client.list_objects_v2(Bucket=bucket)
    return {entry["Key"] for entry in listed.get("Contents", [])}


def local_files(settings) -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def picture(size=(1200, 600)) -> bytes:
    image = Image.new("RGB", size, "blue")
    image.paste("red", (0, 0, size[0] // 2, size[1]))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def upload(client, explainer, content: bytes, name="karte.png"):
    data = encode(change_form_data(explainer)) | {"image_alt": "Karte der Ukraine"}
    data["image"] = SimpleUploadedFile(name, content, content_type="image/png")
    return client.post(reverse("admin:explainers_explainer_change", args=[explainer.pk]), data)


def fetched(url: str) -> tuple[int, bytes]:
    """What a browser gets for `url`, anonymously."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - http to moto
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def size_of(content: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(content)) as image:
        return image.size


def uploaded(client, desk, name="karte.png", size=(1200, 600)) -> Explainer:
    explainer = make_explainer()
    client.force_login(desk)
    assert upload(client, explainer, picture(size), name=name).status_code == 302
    explainer.refresh_from_db()
    return explainer


# --- the setting ----------------------------------------------------------------------------


def test_media_stays_local_unless_s3_is_chosen(monkeypatch):
    monkeypatch.delenv("MEDIA_STORAGE", raising=False)
    assert media_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    monkeypatch.setenv("MEDIA_STORAGE", "s3")
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "newsroom-media")
    monkeypatch.setenv("AWS_S3_CUSTOM_DOMAIN", "media.example.org")
    chosen = media_storage()
    assert chosen["BACKEND"] == "storages.backends.s3.S3Storage"
    options = chosen["OPTIONS"]
    assert options["bucket_name"] == "newsroom-media"
    assert options["custom_domain"] == "media.example.org"
    assert options["file_overwrite"] is False  # an upload never replaces a stored file
    assert options["default_acl"] is None  # nothing is made public unless asked
    assert options["querystring_auth"] is False  # cached pages keep working image URLs
    assert not any("key" in name or "secret" in name for name in options)


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"MEDIA_STORAGE": "s3"}, "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME"),
        ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE must be local or s3, not 'ftp'"),
        (
            {"MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "b", "AWS_DEFAULT_ACL": "public"},
            "AWS_DEFAULT_ACL must be empty",
        ),
        (
            {
                "MEDIA_STORAGE": "s3",
                "AWS_STORAGE_BUCKET_NAME": "b",
                "AWS_S3_CUSTOM_DOMAIN": "https://media.example.org/bilder",
            },
            "AWS_S3_CUSTOM_DOMAIN must be a host name",
        ),
    ],
)
def test_the_site_refuses_to_start_with_s3_half_configured(environment, message, monkeypatch):
    for name in ("AWS_STORAGE_BUCKET_NAME", "AWS_DEFAULT_ACL", "AWS_S3_CUSTOM_DOMAIN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        media_storage()


def test_a_start_without_the_bucket_stops_with_the_reason():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MEDIA_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "newsroom.settings", "MEDIA_STORAGE": "s3"}
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env, capture_output=True, text=True, cwd=Path(__file__).parent.parent, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "ImproperlyConfigured: MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME" in done.stderr


# --- uploads and renditions -----------------------------------------------------------------


def test_an_upload_and_its_renditions_land_in_the_bucket_and_stay_private(
    client, desk, bucket, s3_client, settings
):
    explainer = uploaded(client, desk)
    name = explainer.image.name
    folder, stem = str(Path(name).parent), Path(name).stem
    renditions = {f"{folder}/renditions/{stem}-{w}w.png" for w in (480, 960)}
    assert keys(s3_client, bucket) == {name} | renditions
    assert local_files(settings) == []
    small = s3_client.get_object(Bucket=bucket, Key=f"{folder}/renditions/{stem}-480w.png")
    assert size_of(small["Body"].read()) == (480, 240)
    grants = s3_client.get_object_acl(Bucket=bucket, Key=name)["Grants"]
    assert all("URI" not in grant["Grantee"] for grant in grants)  # no AllUsers grant
    assert fetched(default_storage.url(name))[0] == 403

    # The same file name again: a new object; the first one is left as it was.
    before = s3_client.get_object(Bucket=bucket, Key=name)["ETag"]
    second = make_explainer()
    assert upload(client, second, picture((800, 400)), name="karte.png").status_code == 302
    second.refresh_from_db()
    assert second.image.name != name and second.image.name.endswith(".png")
    assert s3_client.get_object(Bucket=bucket, Key=name)["ETag"] == before
    assert len(keys(s3_client, bucket)) == 3 + 2


def test_the_reader_page_offers_the_bucket_urls_and_its_policy_allows_them(
    client, desk, public_bucket, endpoint
):
    explainer = uploaded(client, desk)
    name = explainer.image.name
    publish(explainer, user=desk)
    response = client.get(reverse("explainers:detail", args=[explainer.slug]))
    page = lxml_html.fromstring(response.content.decode())
    img = page.find(".//figure/img")
    base = f"{endpoint}/{public_bucket}/"
    assert img.get("src") == base + name
    candidates = [entry.rsplit(" ", 1) for entry in img.get("srcset").split(", ")]
    assert [width for _, width in candidates] == ["480w", "960w", "1200w"]
    for url, width in candidates:
        assert url.startswith(base)
        status, content = fetched(url)  # what the reader's browser loads
        assert status == 200 and size_of(content)[0] == int(width.removesuffix("w"))
    og_image = page.find(".//meta[@property='og:image']").get("content")
    assert og_image == base + name  # already absolute: not put under the site's address
    json_ld = json.loads(page.find(".//script[@type='application/ld+json']").text)
    assert json_ld["image"]["url"] == base + name
    img_src = next(
        part for part in response[HEADER].split(";") if part.strip().startswith("img-src")
    )
    assert img_src.split() == ["img-src", "'self'", "data:", endpoint]


def storage_requests(caplog) -> list[str]:
    """The requests moto's server answered while caplog listened (one log line each)."""
    return [
        r.getMessage() for r in caplog.records if r.name == "werkzeug" and '"' in r.getMessage()
    ]


def test_the_bucket_is_read_only_as_often_as_needed(client, desk, public_bucket, caplog):
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        explainer = uploaded(client, desk)
        original = f"GET /{public_bucket}/{explainer.image.name} "
        # One read to check the size for the document, one to make the renditions from.
        assert sum(original in line for line in storage_requests(caplog)) == 2
        publish(explainer, user=desk)
        caplog.clear()
        for page in (
            reverse("explainers:detail", args=[explainer.slug]),
            reverse("api:explainer", args=[explainer.slug]),
            reverse("explainers:feed"),
        ):
            assert client.get(page).status_code == 200
        assert storage_requests(caplog) == []  # readers' URLs are built without asking S3


def test_the_api_and_the_feeds_carry_the_renditions(client, desk, public_bucket, endpoint):
    explainer = uploaded(client, desk)
    name = explainer.image.name
    folder, stem = str(Path(name).parent), Path(name).stem
    publish(explainer, user=desk)
    base = f"{endpoint}/{public_bucket}/"
    expected = [
        {"url": f"{base}{folder}/renditions/{stem}-480w.png", "width": 480, "height": 240},
        {"url": f"{base}{folder}/renditions/{stem}-960w.png", "width": 960, "height": 480},
    ]

    body = client.get(reverse("api:explainer", args=[explainer.slug])).json()
    image = body["document"]["image"]
    assert image["url"] == base + name
    assert (image["width"], image["height"]) == (1200, 600)
    assert image["renditions"] == expected
    for rendition in image["renditions"]:
        status, content = fetched(rendition["url"])
        assert status == 200 and size_of(content) == (rendition["width"], rendition["height"])
    version = client.get(reverse("api:version", args=[explainer.slug, 1])).json()
    assert version["document"]["image"]["renditions"] == expected

    feeds = [
        reverse("explainers:feed"),
        reverse("explainers:explainer_feed", args=[explainer.slug]),
    ]
    for feed in feeds:
        entry = feedparser.parse(client.get(feed).content).entries[0]
        offered = [
            (media["url"], int(media["width"]), int(media["height"]))
            for media in entry.media_content
        ]
        assert offered == [
            *((r["url"], r["width"], r["height"]) for r in expected),
            (base + name, 1200, 600),
        ]
        assert {media["type"] for media in entry.media_content} == {"image/png"}


def test_the_api_makes_local_media_urls_absolute(client, desk, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    explainer = uploaded(client, desk, size=(600, 300))
    publish(explainer, user=desk)
    image = client.get(reverse("api:explainer", args=[explainer.slug])).json()["document"]["image"]
    assert image["url"] == f"http://testserver/media/{explainer.image.name}"
    folder, stem = str(Path(explainer.image.name).parent), Path(explainer.image.name).stem
    assert image["renditions"] == [
        {
            "url": f"http://testserver/media/{folder}/renditions/{stem}-480w.png",
            "width": 480,
            "height": 240,
        }
    ]


def test_an_image_published_before_sizes_were_recorded_has_no_renditions(client, desk):
    explainer = make_explainer(image={"src": "bilder/alt.jpg", "alt": "Altes Bild"})
    publish(explainer, user=desk)
    image = client.get(reverse("api:explainer", args=[explainer.slug])).json()["document"]["image"]
    assert image["url"] == "http://testserver/media/bilder/alt.jpg"
    assert image["renditions"] == []
    entry = feedparser.parse(client.get(reverse("explainers:feed")).content).entries[0]
    assert [media["url"] for media in entry.media_content] == [image["url"]]


# --- the policy -----------------------------------------------------------------------------


def policy_of(response) -> dict[str, list[str]]:
    return {
        part.split()[0]: part.split()[1:] for part in response[HEADER].split(";") if part.strip()
    }


def sent_policy(rf, *, per_response: bool = False) -> dict[str, list[str]]:
    def view(request):
        response = HttpResponse("<p>Seite</p>")
        if per_response:  # a view with django-csp's decorator: its own code path
            response._csp_update = {"connect-src": ["https://api.example.org"]}
        return response

    return policy_of(csp.ConstantCSPMiddleware(view)(rf.get("/")))


def test_img_src_names_the_media_host_only_when_it_is_another_one(rf, settings):
    assert sent_policy(rf)["img-src"] == ["'self'", "data:"]  # local media: the site's own
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(bucket="newsroom-media", custom_domain="media.example.org"),
    }
    assert sent_policy(rf)["img-src"] == ["'self'", "data:", "https://media.example.org"]
    decorated = sent_policy(rf, per_response=True)
    assert decorated["img-src"] == ["'self'", "data:", "https://media.example.org"]
    assert decorated["connect-src"] == ["'self'", "https://api.example.org"]
    framed = csp.embeddable(lambda request: HttpResponse("Karte"))(rf.get("/"))
    assert policy_of(framed)["img-src"] == ["'self'", "data:", "https://media.example.org"]

    # Media under the site's own address (a MEDIA_URL on the public host) adds nothing.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.PUBLIC_BASE_URL = "https://news.example.org"
    settings.MEDIA_URL = "https://news.example.org/media/"
    assert sent_policy(rf)["img-src"] == ["'self'", "data:"]
    settings.MEDIA_URL = "https://cdn.example.net/media/"
    assert sent_policy(rf)["img-src"] == ["'self'", "data:", "https://cdn.example.net"]


# --- the commands and the importer ----------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_cleanup_media_removes_only_objects_nothing_names(bucket, s3_client, settings):
    named = default_storage.save("explainers/2025/01/genannt.png", ContentFile(picture()))
    make_explainer(image={"src": named, "alt": "Genannt"})
    # Left by a save that failed after storing, or named only by pruned revisions.
    orphan = default_storage.save("explainers/2025/02/verwaist.png", ContentFile(picture()))
    write_renditions(orphan)
    incoming = default_storage.save("eingang/foto.png", ContentFile(picture()))  # not uploads
    assert "1 Bilder geprüft, 2 Größen erzeugt" in run("make_renditions")
    everything = keys(s3_client, bucket)
    assert len(everything) == 3 + 2 + 2

    assert "0 Dateien entfernt, 6 bleiben" in run("cleanup_media")  # all younger than an hour
    dry = run("cleanup_media", "--dry-run", "--min-age-minutes", "0")
    assert keys(s3_client, bucket) == everything
    orphans = {orphan, *(f"explainers/2025/02/renditions/verwaist-{w}w.png" for w in (480, 960))}
    assert {line.split(": ", 1)[1] for line in dry.splitlines() if "Würde" in line} == orphans
    assert "3 Dateien entfernt, 3 bleiben" in run("cleanup_media", "--min-age-minutes", "0")
    assert keys(s3_client, bucket) == everything - orphans
    assert incoming in keys(s3_client, bucket)
    assert local_files(settings) == []


def test_make_renditions_writes_a_missing_size_back_into_the_bucket(bucket, s3_client):
    name = default_storage.save("explainers/2025/01/alt.png", ContentFile(picture((1000, 400))))
    make_explainer(image={"src": name, "alt": "Alt"})
    make_explainer(image={"src": "../ausserhalb.png", "alt": "Aus einem alten Import"})
    first = run("make_renditions")
    assert "2 Größen erzeugt, 1 Dateien fehlen" in first and "Fehlt: ../ausserhalb.png" in first
    s3_client.delete_object(Bucket=bucket, Key="explainers/2025/01/renditions/alt-960w.png")
    assert "Erzeugt: explainers/2025/01/renditions/alt-960w.png" in run("make_renditions")
    back = s3_client.get_object(Bucket=bucket, Key="explainers/2025/01/renditions/alt-960w.png")
    assert size_of(back["Body"].read()) == (960, 384)


def test_the_importer_takes_its_image_from_the_bucket(bucket, s3_client, settings, tmp_path):
    s3_client.put_object(Bucket=bucket, Key="eingang/foto.png", Body=picture((600, 300)))
    text = tmp_path / "import.txt"
    text.write_text(
        "Titel: Mit Bild\nSlug: mit-bild\nBild: eingang/foto.png\nBild-Alt: Ein Bild\n\n"
        "Worum es geht.\n\nWas ist passiert?\nEtwas.\n",
        encoding="utf-8",
    )
    stored = import_file(text).explainer.image.name
    assert stored.startswith("explainers/") and stored.endswith("/foto.png")
    folder = Path(stored).parent
    assert keys(s3_client, bucket) == {
        "eingang/foto.png",
        stored,
        f"{folder}/renditions/foto-480w.png",
    }
    publication = publish(Explainer.objects.get())
    assert (publication.document["image"]["width"], publication.document["image"]["height"]) == (
        600,
        300,
    )
    text.write_text(
        text.read_text(encoding="utf-8").replace("eingang/foto.png", "eingang/fehlt.png")
        .replace("mit-bild", "ohne-bild"),
        encoding="utf-8",
    )  # fmt: skip
    with pytest.raises(ImportRefused, match="Zeile 3 .*gibt es diese Datei nicht"):
        import_file(text)
    assert not Explainer.objects.filter(slug="ohne-bild").exists()
    assert local_files(settings) == []


# --- the bake -------------------------------------------------------------------------------


def test_the_bake_names_the_bucket_and_its_nginx_snippet_allows_it(
    client, desk, public_bucket, endpoint, settings, collected, tmp_path
):
    settings.STATIC_ROOT = str(collected)
    settings.ALLOWED_HOSTS = ["news.example.org", "testserver"]
    explainer = uploaded(client, desk)
    publish(explainer, user=desk)
    output = tmp_path / "bake"
    call_command("bake", str(output), "--host", "news.example.org", stdout=io.StringIO())
    baked = (output / "public" / "explainers" / explainer.slug / "index.html").read_text()
    page = lxml_html.fromstring(baked)
    url = f"{endpoint}/{public_bucket}/{explainer.image.name}"
    assert page.find(".//figure/img").get("src") == url
    assert page.find(".//meta[@property='og:image']").get("content") == url
    assert fetched(url)[0] == 200
    policies = [
        line
        for line in (output / "nginx.conf").read_text().splitlines()
        if "add_header Content-Security-Policy " in line
    ]
    assert policies and all(f"img-src 'self' data: {endpoint};" in line for line in policies)


def test_the_api_schema_documents_the_renditions(client):
    schema = client.get(reverse("api:schema") + "?format=json").json()["components"]["schemas"]
    image = schema["Image"]["properties"]
    assert image["url"]["format"] == "uri"
    assert image["renditions"]["items"] == {"$ref": "#/components/schemas/Rendition"}
    rendition = schema["Rendition"]
    assert set(rendition["required"]) == {"url", "width", "height"}
    assert rendition["properties"]["width"]["type"] == "integer"
