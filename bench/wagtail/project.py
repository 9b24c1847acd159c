"""A minimal Wagtail project, written into a temporary folder at run time (nothing generated
is committed): Wagtail's own project template trimmed to one app whose ExplainerPage holds
the questions as a StreamField of question/answer blocks, like our explainer."""

from __future__ import annotations

import json
import re
from pathlib import Path

SETTINGS = """
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "explainer_app",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
# Wagtail's project template: Django's startproject middleware plus its redirects.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]
ROOT_URLCONF = "wagbench.urls"
WSGI_APPLICATION = "wagbench.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
        "CONN_MAX_AGE": 60,
    }
}
LANGUAGE_CODE = "de"
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
WAGTAIL_SITE_NAME = "wagbench"
WAGTAILADMIN_BASE_URL = "http://127.0.0.1"
"""

URLS = """
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

urlpatterns = [path("admin/", include(wagtailadmin_urls)), path("", include(wagtail_urls))]
"""

WSGI = """
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wagbench.settings")
application = get_wsgi_application()
"""

MODELS = """
from django.db import models
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page


class QuestionBlock(blocks.StructBlock):
    anchor = blocks.CharBlock()
    question = blocks.CharBlock()
    answer = blocks.RichTextBlock()

    class Meta:
        template = "explainer_app/question_block.html"


class SourceBlock(blocks.StructBlock):
    key = blocks.CharBlock()
    label = blocks.CharBlock()
    publisher = blocks.CharBlock()
    url = blocks.URLBlock()
    date = blocks.DateBlock()

    class Meta:
        template = "explainer_app/source_block.html"


class ExplainerPage(Page):
    kicker = models.CharField(max_length=100, blank=True)
    teaser = models.TextField(blank=True)
    intro = RichTextField(blank=True)
    questions = StreamField([("question", QuestionBlock())], blank=True)
    sources = StreamField([("source", SourceBlock())], blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("kicker"),
        FieldPanel("teaser"),
        FieldPanel("intro"),
        FieldPanel("questions"),
        FieldPanel("sources"),
    ]
"""

PAGE_TEMPLATE = """{% load wagtailcore_tags %}<!doctype html>
<html lang="de">
<head>
<meta charset="utf-8">
<title>{{ page.title }}</title>
<meta name="description" content="{{ page.teaser }}">
<link rel="canonical" href="{{ page.full_url }}">
</head>
<body>
<article>
  <p class="kicker">{{ page.kicker }}</p>
  <h1>{{ page.title }}</h1>
  <p class="teaser">{{ page.teaser }}</p>
  {{ page.intro|richtext }}
  <nav><ol>{% for block in page.questions %}
    <li><a href="#{{ block.value.anchor }}">{{ block.value.question }}</a></li>
  {% endfor %}</ol></nav>
  {% for block in page.questions %}{% include_block block %}{% endfor %}
  <section class="sources"><h2>Quellen</h2><ol>
    {% for block in page.sources %}{% include_block block %}{% endfor %}
  </ol></section>
  <p>Veröffentlicht am <time datetime="{{ page.last_published_at|date:'c' }}">
    {{ page.last_published_at|date:"DATETIME_FORMAT" }}</time></p>
</article>
</body>
</html>
"""

QUESTION_TEMPLATE = """{% load wagtailcore_tags %}<section class="question" id="{{ value.anchor }}">
  <h2>{{ value.question }}</h2>
  {{ value.answer }}
</section>
"""

SOURCE_TEMPLATE = """<li id="quelle-{{ value.key }}">
  <a href="{{ value.url }}">{{ value.label }}</a>, {{ value.publisher }},
  <time datetime="{{ value.date|date:'Y-m-d' }}">{{ value.date|date:"DATE_FORMAT" }}</time>
</li>
"""

_MARKER = re.compile(r"\s*\[\^([a-z0-9-]+)\]")


def answer_html(text: str, sources: dict[str, int]) -> str:
    """Our answer text as Wagtail rich text: one <p> per paragraph, each citation marker a
    numbered link to its source (as our page shows it)."""

    def link(match: re.Match) -> str:
        number = sources.get(match.group(1), 0)
        return f' <sup><a href="#quelle-{match.group(1)}">[{number}]</a></sup>'

    return "".join(f"<p>{_MARKER.sub(link, p)}</p>" for p in text.split("\n\n"))


def page_fields(document: dict) -> dict:
    """The fields of the ExplainerPage that mirrors one of our documents."""
    numbers = {source["key"]: n for n, source in enumerate(document["sources"], start=1)}
    questions = [
        {
            "type": "question",
            "value": {
                "anchor": q["anchor"],
                "question": q["question"],
                "answer": answer_html(q["answer"], numbers),
            },
        }
        for q in document["questions"]
    ]
    sources = [
        {"type": "source", "value": {k: s[k] for k in ("key", "label", "publisher", "url", "date")}}
        for s in document["sources"]
    ]
    return {
        "title": document["headline"],
        "slug": document["slug"],
        "kicker": document["kicker"],
        "teaser": document["teaser"],
        "intro": answer_html(document["intro"], numbers),
        "questions": json.dumps(questions),
        "sources": json.dumps(sources),
    }


def write(folder: Path, document: dict) -> None:
    """The project, its one app and the page's fields (page.json) under `folder`."""
    files = {
        "wagbench/__init__.py": "",
        "wagbench/settings.py": SETTINGS,
        "wagbench/urls.py": URLS,
        "wagbench/wsgi.py": WSGI,
        "explainer_app/__init__.py": "",
        "explainer_app/migrations/__init__.py": "",
        "explainer_app/models.py": MODELS,
        "explainer_app/templates/explainer_app/explainer_page.html": PAGE_TEMPLATE,
        "explainer_app/templates/explainer_app/question_block.html": QUESTION_TEMPLATE,
        "explainer_app/templates/explainer_app/source_block.html": SOURCE_TEMPLATE,
        "page.json": json.dumps(page_fields(document), ensure_ascii=False),
    }
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.lstrip("\n"), encoding="utf-8")
