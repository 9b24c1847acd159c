"""The static bake: every public page in the default language as plain files that nginx
or a CDN serves without Python (`manage.py bake OUTPUT_DIR`), and, with BAKE_DIR set,
the files a publication, withdrawal or redaction changed, baked anew after its commit.

OUTPUT_DIR holds
    public/       the served folder: pages, feeds, sitemap, robots.txt, static/
    nginx.conf    the snippet for nginx's server block (explainers/bake/bake_nginx.py)
    bake.json     host, scheme and upstream of the last full bake (re-bakes use them;
                  host and scheme are --host/--scheme, or else PUBLIC_BASE_URL's)
    .bake.lock    one bake at a time

Pages are rendered in-process through Django's whole handler (the test Client), so a
file holds exactly the bytes the app would send, and nginx gets the headers the app sent.
Every file is replaced atomically; files whose bytes did not change are left alone.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models.fields.json import KeyTransform
from django.http.request import split_domain_port, validate_host
from django.urls import get_script_prefix, get_urlconf, reverse, set_script_prefix, set_urlconf
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from whitenoise.media_types import MediaTypes

from explainers.bake import bake_nginx
from explainers.bake.bake_files import (
    GONE_FILE,
    Busy,
    Folder,
    file_for,
    is_index_page,
    locked,
    same_bytes,
    write_atomic,
)
from explainers.bake.bake_nginx import HASHED_STATIC, SLUG, SNIPPET_NAME, Headers
from explainers.domain import public_urls
from explainers.models import CurrentPublication, Explainer, Publication
from explainers.reader import reader_signal, views
from explainers.reader.public import Withdrawn, current_listing
from explainers.reader.translations import linked_explainers

logger = logging.getLogger(__name__)

PUBLIC = "public"
SETTINGS_FILE = "bake.json"
LOCK_FILE = ".bake.lock"
# Left by a failed re-bake until the next full bake: the folder may still show what readers
# must no longer see (a withdrawal, a redaction), so the app never serves it as a last good
# copy (newsroom/outage.py).
OUTDATED_FILE = ".rebake-failed"
DEFAULT_UPSTREAM = "http://127.0.0.1:8000"
SCHEMES = ("https", "http")
REBAKE_LOCK_WAIT = 10.0  # seconds a re-bake waits for a running bake before it gives up
FULL_PASSES = 3  # a full bake starts over (at most this often) if readers' pages changed meanwhile
# Not carried to nginx: it makes its own (length, ETag and Last-Modified of the file), the
# type is set per location, a baked file is the same whoever asks (no Vary), and a request
# id belongs to one request of the app.
NOT_CARRIED = frozenset(
    {"content-type", "content-length", "etag", "last-modified", "date", "expires", "vary",
     "set-cookie", "location", "server", "x-request-id"}
)  # fmt: skip
DEFAULT_MEDIA_TYPE = "application/octet-stream"  # nginx's default_type in the static location
_SLUG_RE = re.compile(SLUG)


class BakeError(Exception):
    """The bake cannot go on; the message is for whoever runs it."""


@dataclass(frozen=True)
class Page:
    path: str
    file: str
    kind: str  # which nginx location serves it: reader, card, feed, sitemap, robots, flatpage, gone

    @classmethod
    def at(cls, path: str, kind: str) -> Page:
        return cls(path, file_for(path), kind)


def explainer_pages(slug: str, numbers: list[int], keys: list[str] = ()) -> list[Page]:
    """The current page, the versions page, every version, the diff of each two
    consecutive publications, the feed, and the card of each question (`keys`)."""
    pages = [
        Page.at(reverse("explainers:detail", args=[slug]), "reader"),
        Page.at(reverse("explainers:versions", args=[slug]), "reader"),
        Page.at(reverse("explainers:explainer_feed", args=[slug]), "feed"),
    ]
    pages += [Page.at(reverse("explainers:version", args=[slug, n]), "reader") for n in numbers]
    pages += [
        Page.at(reverse("explainers:diff", args=[slug, f"{n - 1}..{n}"]), "reader")
        for n in numbers
        if n - 1 in numbers
    ]
    pages += [Page.at(path, "card") for path in card_paths(slug, keys)]
    return pages


def card_paths(slug: str, keys) -> list[str]:
    """The question cards (explainers/reader/embed.py) the snippet can serve."""
    return [reverse("explainers:card", args=[slug, k]) for k in keys if bake_nginx.is_key(k)]


def gone_page(slug: str) -> Page:
    path = reverse("explainers:detail", args=[slug])
    return Page(path, file_for(path).removesuffix("index.html") + GONE_FILE, "gone")


def site_pages() -> list[Page]:
    """The index with each of its pages, the main feed, sitemap, robots.txt, legal pages."""
    index = reverse("explainers:index")
    count = Paginator(current_listing(), views.INDEX_PAGE_SIZE).num_pages
    pages = [Page.at(index, "reader")]
    pages += [Page.at(f"{index}?page={n}", "reader") for n in range(1, count + 1)]
    pages += [
        Page.at(reverse("explainers:feed"), "feed"),
        Page.at(reverse("sitemap"), "sitemap"),
        Page.at(reverse("robots"), "robots"),
    ]
    return pages + [Page.at(reverse(name), "flatpage") for name in ("impressum", "datenschutz")]


# What the database says must be baked.


def publication_numbers(**filters) -> dict[int, list[int]]:
    numbers: dict[int, list[int]] = defaultdict(list)
    rows = Publication.objects.filter(**filters).order_by("number")
    for explainer_id, number in rows.values_list("explainer_id", "number"):
        numbers[explainer_id].append(number)
    return numbers


def card_keys(**filters) -> dict[int, list[str]]:
    """The question keys of each public explainer's current publication."""
    rows = CurrentPublication.objects.filter(withdrawn_at__isnull=True, **filters).values_list(
        "explainer_id", KeyTransform("questions", "publication__document")
    )
    return {
        explainer_id: [q["key"] for q in questions if isinstance(q, dict) and "key" in q]
        for explainer_id, questions in rows
        if isinstance(questions, list)
    }


def moved_slugs() -> dict[str, str]:
    """Older public slugs and the current slug they answer 301 to, as current_by_slug
    decides it; a slug two explainers once had is left to the app."""
    current = dict(CurrentPublication.objects.values_list("explainer_id", "slug"))
    public_now = set(current.values())
    owners: dict[str, set[int]] = defaultdict(set)
    rows = Publication.objects.order_by().values_list("explainer_id", "slug").distinct()
    for explainer_id, slug in rows:
        if slug not in public_now and explainer_id in current:
            owners[slug].add(explainer_id)
    return {slug: current[ids.pop()] for slug, ids in owners.items() if len(ids) == 1}


def pages_showing(explainer_id: int) -> list[Page]:
    """Pages of other public explainers whose "Empfehlungen der Redaktion" may show this
    one (related_current matches its public or its working slug, before and after)."""
    slugs = set(
        Publication.objects.filter(explainer_id=explainer_id).values_list("slug", flat=True)
    )
    slugs |= set(Explainer.objects.filter(pk=explainer_id).values_list("slug", flat=True))
    public = {
        current.explainer_id: current
        for current in CurrentPublication.objects.filter(withdrawn_at__isnull=True)
        .exclude(explainer_id=explainer_id)
        .only("explainer_id", "slug", "publication_id")
    }
    rows = (
        Publication.objects.filter(
            explainer__current__isnull=False, explainer__current__withdrawn_at__isnull=True
        )
        .exclude(explainer_id=explainer_id)
        .order_by()
        .values_list("explainer_id", "number", "pk", "document__related")
    )
    pages = []
    for other, number, pk, related in rows:
        if not (isinstance(related, list) and slugs.intersection(related)):
            continue
        current = public[other]
        pages.append(Page.at(reverse("explainers:version", args=[current.slug, number]), "reader"))
        if pk == current.publication_id:
            pages.append(Page.at(current.get_absolute_url(), "reader"))
    return pages


def language_version_pages(explainer_id: int) -> list[Page]:
    """The current pages of its other public language versions: their hreflang links,
    language links and outdated note show it (explainers/reader/translations.py)."""
    rows = CurrentPublication.objects.filter(
        explainer_id__in=linked_explainers(explainer_id), withdrawn_at__isnull=True
    ).values_list("slug", "publication__number")
    pages = []
    for slug, number in rows:
        pages.append(Page.at(reverse("explainers:detail", args=[slug]), "reader"))
        pages.append(Page.at(reverse("explainers:version", args=[slug, number]), "reader"))
    return pages


# Rendering through the whole handler.


@dataclass(frozen=True)
class Rendered:
    path: str
    status: int
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...]  # the ones nginx must send too
    location: str = ""


class Renderer:
    """Pages as the app answers a reader of `host` in the default language."""

    def __init__(self, host: str, scheme: str) -> None:
        from django.test import Client  # not at import: publishing imports this module

        self.client = Client(HTTP_ACCEPT_LANGUAGE=settings.LANGUAGE_CODE, HTTP_HOST=host)
        self.secure = scheme == "https"

    def get(self, path: str) -> Rendered:
        response = self.client.get(path, secure=self.secure)
        if response.cookies:
            raise BakeError(_("%(path)s setzt ein Cookie; so eine Seite wird nicht gebacken.")
                            % {"path": path})  # fmt: skip
        body = b"".join(response.streaming_content) if response.streaming else response.content
        headers = tuple(sorted((n, v) for n, v in response.items() if n.lower() not in NOT_CARRIED))
        return Rendered(
            path, response.status_code, body, response.get("Content-Type", ""), headers,
            response.get("Location", ""),
        )  # fmt: skip


class HeaderBook:
    """The headers Django sent, per kind of page. nginx sends one set per location, so
    every page of a kind must have come with the same ones."""

    def __init__(self) -> None:
        self.first: dict[str, Rendered] = {}

    def note(self, kind: str, rendered: Rendered) -> None:
        first = self.first.setdefault(kind, rendered)
        if (first.content_type, first.headers) != (rendered.content_type, rendered.headers):
            raise BakeError(
                _("%(a)s und %(b)s kamen mit verschiedenen Kopfzeilen; nginx sendet eine.")
                % {"a": first.path, "b": rendered.path}
            )

    def headers(self, kind: str) -> Headers | None:
        rendered = self.first.get(kind)
        return rendered and Headers(rendered.content_type, rendered.headers)


# Where the bake goes, and how its pages are addressed.


@dataclass(frozen=True)
class Target:
    output: Path
    host: str
    scheme: str
    upstream: str

    @property
    def public(self) -> Path:
        return self.output / PUBLIC

    @property
    def snippet(self) -> Path:
        return self.output / SNIPPET_NAME

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}"

    def save(self) -> None:
        data = {"host": self.host, "scheme": self.scheme, "upstream": self.upstream}
        write_atomic(self.output / SETTINGS_FILE, json.dumps(data, indent=2).encode() + b"\n")


def default_host() -> str | None:
    """The first entry of ALLOWED_HOSTS that names one host (no "*", no ".domain")."""
    return next((h for h in settings.ALLOWED_HOSTS if "*" not in h and not h.startswith(".")),
                None)  # fmt: skip


def public_address(host: str | None, scheme: str | None) -> tuple[str | None, str]:
    """Host and scheme of the baked pages' absolute URLs: --host (and --scheme, https
    unless given), else PUBLIC_BASE_URL (--scheme may still change its scheme), else the
    first fixed host in ALLOWED_HOSTS (development)."""
    if not host and (configured := public_urls.configured()):
        configured_scheme, host = public_urls.split(configured)
        return host, scheme or configured_scheme
    return host or default_host(), scheme or "https"


def prepare(output, host: str | None, scheme: str | None, upstream: str) -> Target:
    """The checked target, its folders made; BakeError says what is wrong."""
    output = Path(os.path.abspath(Path(output).expanduser()))
    if output.exists() and not output.is_dir():
        raise BakeError(_("OUTPUT_DIR ist kein Ordner: %(path)s") % {"path": output})
    try:
        (output / PUBLIC).mkdir(parents=True, exist_ok=True)
        (output / LOCK_FILE).touch()
    except OSError as error:
        raise BakeError(
            _("In OUTPUT_DIR kann nicht geschrieben werden: %(path)s (%(error)s)")
            % {"path": output, "error": error.strerror or error}
        ) from error
    static_root = Path(os.path.abspath(settings.STATIC_ROOT)) if settings.STATIC_ROOT else None
    if static_root and (static_root == output or output in static_root.parents
                        or static_root in output.parents):  # fmt: skip
        raise BakeError(
            _("OUTPUT_DIR und STATIC_ROOT (%(static)s) dürfen nicht ineinander liegen.")
            % {"static": static_root}
        )
    host, scheme = public_address(host, scheme)
    if scheme not in SCHEMES:
        raise BakeError(_("--scheme muss https oder http sein."))
    try:
        bake_nginx.check_upstream(upstream)
    except bake_nginx.SnippetError as error:
        raise BakeError(
            _("--upstream muss http(s)://Host[:Port] sein, nicht „%(value)s“.")
            % {"value": upstream}
        ) from error
    if not host:
        raise BakeError(
            _("Weder PUBLIC_BASE_URL noch ALLOWED_HOSTS nennt einen festen Host: "
              "bitte --host angeben.")
        )  # fmt: skip
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        raise BakeError(_("Der Host „%(host)s“ steht nicht in ALLOWED_HOSTS.") % {"host": host})
    return Target(output, host, scheme, upstream)


def saved_target(output: Path) -> Target | None:
    try:
        data = json.loads((output / SETTINGS_FILE).read_text())
    except (FileNotFoundError, ValueError):
        return None
    return Target(output, data["host"], data["scheme"], data["upstream"])


@contextlib.contextmanager
def own_requests(target: Target):
    """The bake's requests may run inside another (an admin publish): that one keeps its
    language, script prefix and URLconf. Their absolute URLs use the bake's host and
    scheme (this thread only). And they render without the reader caches: a
    baked file outlives any cache, so it must not keep a fragment the app would renew
    (the head of an older version keeps its canonical URL across a slug move while
    cached). The setting is the process's: other threads meanwhile skip the caches too."""
    from django.test.utils import override_settings

    prefix, urlconf = get_script_prefix(), get_urlconf()
    try:
        with (
            override_settings(READER_CACHE=False),
            public_urls.overridden(target.base_url),
            translation.override(translation.get_language()),
        ):
            yield
    finally:
        set_script_prefix(prefix)
        set_urlconf(urlconf)


# One bake.


@dataclass
class Report:
    public: Path
    snippet: Path
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    snippet_changed: bool = False
    skipped: list[str] = field(default_factory=list)
    base_url: str = ""


class Bake:
    def __init__(self, target: Target, folder: Folder) -> None:
        self.target = target
        self.folder = folder
        self.renderer = Renderer(target.host, target.scheme)
        self.book = HeaderBook()
        self.keep: set[str] = set()  # files this bake stands behind
        self.exact: list[Page] = []  # baked site pages nginx answers by their exact URL
        self.skipped: list[str] = []
        self.snippet_changed = False

    # pages

    def bake(self, page: Page, expect: int = 200, *, required: bool = False) -> None:
        rendered = self.renderer.get(page.path)
        if rendered.status != expect:
            if required:
                raise BakeError(
                    _("%(path)s antwortet mit %(status)s statt %(expect)s (Host, --scheme?).")
                    % {"path": page.path, "status": rendered.status, "expect": expect}
                )
            if page.kind != "flatpage":  # a legal page not set up is simply not baked
                self.skipped.append(f"{page.path} ({rendered.status})")
            return
        self.book.note(page.kind, rendered)
        self.folder.write(page.file, rendered.body)
        self.keep.add(page.file)

    def site(self) -> None:
        for page in site_pages():
            self.bake(page, required=page.kind != "flatpage")
            if page.kind != "reader" and page.file in self.keep:
                self.exact.append(page)

    def explainer(
        self, current, numbers: list[int], keys: list[str], only: set[str] | None = None
    ) -> None:
        """All pages of one explainer (a withdrawn one: its 410 page). With `only`, pages
        outside it are rendered only if their file is missing."""
        if not _SLUG_RE.fullmatch(current.slug):
            self.skipped.append(current.slug)
            return
        if current.is_withdrawn:
            self.bake(gone_page(current.slug), 410)
            return
        for page in explainer_pages(current.slug, numbers, keys):
            if only is not None and page.path not in only and self.folder.has(page.file):
                self.keep.add(page.file)
            else:
                self.bake(page)

    def static(self) -> None:
        prefix = static_prefix()
        if prefix is None:
            return
        source = Path(settings.STATIC_ROOT or "")
        files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else []
        if not settings.STATIC_ROOT or not files:
            raise BakeError(
                _("STATIC_ROOT (%(path)s) ist leer: zuerst `manage.py collectstatic` ausführen.")
                % {"path": settings.STATIC_ROOT}
            )
        for path in files:
            file = f"{prefix}/{path.relative_to(source).as_posix()}"
            self.folder.write(file, path.read_bytes())
            self.keep.add(file)

    # the nginx snippet

    def snippet(self) -> None:
        moved = self._moved()
        exact = tuple(
            bake_nginx.Exact(page.path, page.file, self.book.headers(page.kind))
            for page in self.exact
        )
        static, static_hashed, static_types = self._static_headers()
        spec = bake_nginx.Spec(
            root=self.target.public,
            upstream=self.target.upstream,
            reader=self.book.headers("reader"),
            feed=self.book.headers("feed"),
            card=self.book.headers("card"),
            gone=self.book.headers("gone") or self._gone_headers(),
            index_path=reverse("explainers:index"),
            exact=exact,
            moved=moved,
            moved_headers=self.book.headers("moved"),
            static_url=settings.STATIC_URL if static_prefix() else "",
            static=static,
            static_hashed=static_hashed,
            static_types=static_types,
        )
        try:
            text = bake_nginx.snippet(spec).encode()
        except bake_nginx.SnippetError as error:
            raise BakeError(
                _("Dieser Wert lässt sich nicht sicher an nginx geben: %(value)s")
                % {"value": error}
            ) from error
        if not same_bytes(self.target.snippet, text):
            write_atomic(self.target.snippet, text)
            self.snippet_changed = True

    def _moved(self) -> tuple[tuple[tuple[str, ...], str], ...]:
        """Older slugs grouped by where they lead; each group checked against the app's
        own 301 (a group the app answers otherwise is left to it)."""
        groups: dict[str, list[str]] = defaultdict(list)
        for old, new in moved_slugs().items():
            if _SLUG_RE.fullmatch(old) and _SLUG_RE.fullmatch(new):
                groups[new].append(old)
        checked = []
        for new, olds in sorted(groups.items()):
            olds.sort()
            rendered = self.renderer.get(reverse("explainers:detail", args=[olds[0]]))
            answer = (rendered.status, rendered.location)
            if answer == (301, reverse("explainers:detail", args=[new])):
                self.book.note("moved", rendered)
                checked.append((tuple(olds), new))
        return tuple(checked)

    def _gone_headers(self) -> Headers:
        """No explainer is withdrawn now, but nginx must be ready for one: the headers
        Django sends with any page its view adds none to (robots.txt's), and gone()'s."""
        from django.test import RequestFactory

        plain = dict(self.book.first["robots"].headers)
        request = RequestFactory().get("/", HTTP_HOST=self.target.host)
        placeholder = CurrentPublication(withdrawn_at=timezone.now())
        response = views.gone(request, Withdrawn(placeholder))
        plain.update((n, v) for n, v in response.items() if n.lower() not in NOT_CARRIED)
        return Headers(response["Content-Type"], tuple(sorted(plain.items())))

    def _static_headers(self) -> tuple[Headers | None, Headers | None, dict[str, str]]:
        """whitenoise's headers for a file of each sort (hashed names get their own only
        where they differ, as with the manifest storage), and the media types there are."""
        prefix = static_prefix()
        files = sorted(self.folder.files(prefix)) if prefix else []
        media = MediaTypes(extra_types=getattr(settings, "WHITENOISE_MIMETYPES", None))
        types = {}
        for file in files:
            extension = os.path.splitext(file)[1].lower().lstrip(".")
            media_type = media.get_type(file).split(";")[0]
            if re.fullmatch(r"[a-z0-9]+", extension) and media_type != DEFAULT_MEDIA_TYPE:
                types[extension] = media_type
        plain = self._static_sample(f for f in files if not re.search(HASHED_STATIC, f))
        hashed = self._static_sample(f for f in files if re.search(HASHED_STATIC, f))
        if plain is None:
            return hashed, None, types
        return plain, (hashed if hashed != plain else None), types

    def _static_sample(self, files) -> Headers | None:
        file = next((f for f in files if not f.endswith((".gz", ".br"))), None)
        rendered = file and self.renderer.get("/" + file)
        return Headers("", rendered.headers) if rendered and rendered.status == 200 else None

    # whole runs

    def full(self) -> None:
        numbers = publication_numbers()
        keys = card_keys()
        currents = CurrentPublication.objects.only("explainer_id", "slug", "withdrawn_at")
        for current in currents.order_by("slug"):
            self.explainer(
                current, numbers[current.explainer_id], keys.get(current.explainer_id, [])
            )
        self.site()  # after the pages the index links to
        self.static()
        self.folder.remove(self.folder.files() - self.keep)
        self.snippet()

    def partial(self, explainer_id: int, every_version: bool, forget_slugs=frozenset()) -> None:
        current = (
            CurrentPublication.objects.filter(explainer_id=explainer_id)
            .only("explainer_id", "slug", "withdrawn_at")
            .first()
        )
        if current is None:  # never published: nothing public changed
            return
        numbers = publication_numbers(explainer_id=explainer_id)[explainer_id]
        keys = card_keys(explainer_id=explainer_id).get(explainer_id, [])
        only = None if every_version else publish_may_change(current.slug, numbers, keys)
        self.explainer(current, numbers, keys, only)
        for page in pages_showing(explainer_id) + language_version_pages(explainer_id):
            self.bake(page)
        self.site()
        folders = [*self._folders_of(explainer_id, current), *_folders(forget_slugs)]
        scope = {f for folder in folders for f in self.folder.files(folder)}
        scope |= {page.file for page in site_pages()}
        scope |= {f for f in self.folder.files() if "/" not in f and is_index_page(f)}
        self.folder.remove(scope - self.keep)
        self.snippet()

    def _folders_of(self, explainer_id: int, current) -> list[str]:
        """Its folders: under each slug it ever had that no other explainer has now."""
        slugs = set(
            Publication.objects.filter(explainer_id=explainer_id).values_list("slug", flat=True)
        )
        slugs.add(current.slug)
        taken = set(
            CurrentPublication.objects.exclude(explainer_id=explainer_id).values_list(
                "slug", flat=True
            )
        )
        return _folders(slugs - taken)


def _folders(slugs) -> list[str]:
    """The folders of these slugs' pages (slugs no URL can carry have none)."""
    return [
        file_for(reverse("explainers:detail", args=[slug])).removesuffix("index.html")
        for slug in sorted(slugs)
        if _SLUG_RE.fullmatch(slug)
    ]


def publish_may_change(slug: str, numbers: list[int], keys: list[str] = ()) -> set[str]:
    """What a publication changes among its explainer's existing pages: the current page,
    the versions page, the feed, the new version, the one before (now an older version),
    the diff between them and every question card. Everything else is rendered only if
    its file is missing."""
    newest = max(numbers)
    paths = {
        reverse("explainers:detail", args=[slug]),
        reverse("explainers:versions", args=[slug]),
        reverse("explainers:explainer_feed", args=[slug]),
        reverse("explainers:version", args=[slug, newest]),
    }
    if newest - 1 in numbers:
        paths.add(reverse("explainers:version", args=[slug, newest - 1]))
        paths.add(reverse("explainers:diff", args=[slug, f"{newest - 1}..{newest}"]))
    return paths | set(card_paths(slug, keys))


def static_prefix() -> str | None:
    """The folder for static files ("static" for STATIC_URL /static/); None when they are
    served from elsewhere (an absolute STATIC_URL)."""
    url = settings.STATIC_URL or ""
    if not url.startswith("/") or url.startswith("//"):
        return None
    return url.strip("/") or None


def _report(target: Target, folder: Folder, run: Bake) -> Report:
    return Report(
        public=target.public,
        snippet=target.snippet,
        written=len(folder.written),
        unchanged=len(run.keep - folder.written),
        removed=len(folder.removed),
        snippet_changed=run.snippet_changed,
        skipped=run.skipped,
        base_url=target.base_url,
    )


def bake_site(output, *, host=None, scheme=None, upstream=DEFAULT_UPSTREAM) -> Report:
    """Bake every public page into `output` (see the module docstring). Absolute URLs
    use `host` and `scheme` (https unless given), or else PUBLIC_BASE_URL."""
    target = prepare(output, host, scheme, upstream)
    folder = Folder(target.public)
    with locked(target.output / LOCK_FILE, wait=None), own_requests(target):
        for _attempt in range(FULL_PASSES):
            mark = reader_signal.current_mark()
            run = Bake(target, folder)
            run.full()
            if reader_signal.current_mark() == mark:
                break
            logger.info("bake: readers' pages changed while baking; baking once more")
        target.save()
        (target.output / OUTDATED_FILE).unlink(missing_ok=True)
    return _report(target, folder, run)


def is_outdated(output: Path) -> bool:
    """Whether a re-bake into `output` failed since its last full bake."""
    return (output / OUTDATED_FILE).exists()


def _mark_outdated(output: Path, explainer_id: int) -> None:
    try:
        (output / OUTDATED_FILE).write_text(f"explainer {explainer_id}\n")
    except OSError:
        logger.exception("bake: %s could not be marked outdated", output)


def rebake(
    explainer_id: int, *, every_version: bool = False, forget_slugs=frozenset()
) -> Report | None:
    """Bake anew what a change to one explainer affects, into BAKE_DIR; None if that
    folder has not had a full bake yet (its host and scheme are not known)."""
    target = saved_target(Path(settings.BAKE_DIR))
    if target is None:
        logger.warning("bake: %s has no full bake yet: run manage.py bake", settings.BAKE_DIR)
        return None
    folder = Folder(target.public)
    try:
        with locked(target.output / LOCK_FILE, wait=REBAKE_LOCK_WAIT), own_requests(target):
            run = Bake(target, folder)
            run.partial(explainer_id, every_version, forget_slugs)
    except Busy as busy:
        raise BakeError(f"another bake held {busy} for {REBAKE_LOCK_WAIT:.0f} s") from busy
    return _report(target, folder, run)


def after_commit(explainer, *, every_version: bool = False, forget_slugs=frozenset()) -> None:
    """Call inside the transaction that changes what readers see of `explainer`: with
    BAKE_DIR set, its files are baked anew once that commits. A failing re-bake is
    logged, never raised: the change is stored, and the next full bake repairs the folder.
    `forget_slugs` (a redaction's old names, no longer stored anywhere) lose their folders."""
    if not settings.BAKE_DIR:
        return
    explainer_id = explainer.pk
    forget_slugs = frozenset(forget_slugs)

    def run() -> None:
        try:
            report = rebake(explainer_id, every_version=every_version, forget_slugs=forget_slugs)
        except Exception:
            logger.exception(
                "bake: re-baking explainer %s into %s failed; the next `manage.py bake` "
                "repairs the folder", explainer_id, settings.BAKE_DIR,
            )  # fmt: skip
            _mark_outdated(Path(settings.BAKE_DIR), explainer_id)
            return
        if report is not None:
            logger.info(
                "bake: explainer %s: %s files written, %s unchanged, %s removed",
                explainer_id, report.written, report.unchanged, report.removed,
            )  # fmt: skip
            if report.snippet_changed:
                logger.warning("bake: %s changed: reload nginx", report.snippet)

    transaction.on_commit(run, robust=True)
