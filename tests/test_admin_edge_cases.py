"""Admin cases found in review: each once broke or could break an editor's save."""

import pytest
from django.urls import reverse

from explainers.domain.builders import document_from_explainer
from explainers.domain.publishing import PublishRefused, publish
from explainers.models import Explainer, RelatedLink
from tests.admin_forms import change_form_data, encode
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db


def change_url(explainer):
    return reverse("admin:explainers_explainer_change", args=[explainer.pk])


def save(client, explainer, form):
    return client.post(change_url(explainer), encode(form))


def test_the_first_publication_works_from_the_form_as_rendered(client, desk):
    """The kind is not asked for the first publication, so it is not posted."""
    explainer = make_explainer()
    client.force_login(desk)
    url = reverse("admin:explainers_explainer_publish", args=[explainer.pk])
    assert 'name="kind"' not in client.get(url).content.decode()
    assert client.post(url, {"note": "", "internal_note": ""}).status_code == 302
    assert explainer.publications.get().kind == "first"


def test_two_new_questions_and_two_new_sources_can_be_added_in_one_save(client, reporter):
    """sortable2 posts position 0 for new rows; anchors may be left blank."""
    explainer = make_explainer(questions=2)
    client.force_login(reporter)
    form = change_form_data(explainer)
    for text in ("Was kommt jetzt?", "Und danach?"):
        form["questions"].append(
            {"question": text, "anchor": "", "answer": "Offen.", "position": 0,
             "explainer": explainer.pk}
        )  # fmt: skip
    for key in ("neu-a", "neu-b"):
        form["sources"].append(
            {"key": key, "label": key, "kind": "article", "position": 0, "explainer": explainer.pk}
        )
    response = save(client, explainer, form)
    assert response.status_code == 302, response.content.decode()[-3000:]
    document = document_from_explainer(explainer)
    assert [q["question"] for q in document["questions"]][-2:] == [
        "Was kommt jetzt?",
        "Und danach?",
    ]
    assert [s["key"] for s in document["sources"]][-2:] == ["neu-a", "neu-b"]
    positions = explainer.questions.values_list("position", flat=True)
    assert list(positions) == [1, 2, 3, 4]


def test_two_questions_with_the_same_anchor_are_a_form_error(client, reporter):
    explainer = make_explainer(questions=2)
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["questions"][1]["anchor"] = form["questions"][0]["anchor"]
    response = save(client, explainer, form)
    assert response.status_code == 200
    assert "Diese Sprungmarke hat schon eine andere Frage." in response.content.decode()


def test_an_explainer_cannot_recommend_itself(client, desk):
    explainer = make_explainer()
    client.force_login(desk)
    form = change_form_data(explainer)
    form["related_links"].append({"target": explainer.pk, "position": 1, "explainer": explainer.pk})
    response = save(client, explainer, form)
    assert response.status_code == 200
    assert "nicht selbst empfehlen" in response.content.decode()


def test_two_recommendations_can_swap_their_targets(client, desk):
    explainer, first, second = make_explainer(), make_explainer(), make_explainer()
    RelatedLink.objects.create(explainer=explainer, target=first, position=1)
    RelatedLink.objects.create(explainer=explainer, target=second, position=2)
    client.force_login(desk)
    form = change_form_data(explainer)
    form["related_links"][0]["target"], form["related_links"][1]["target"] = second.pk, first.pk
    assert save(client, explainer, form).status_code == 302
    assert document_from_explainer(explainer)["related"] == [second.slug, first.slug]


def test_a_recommended_draft_cannot_be_deleted_under_another_explainer(client, desk):
    explainer, target = make_explainer(), make_explainer()
    RelatedLink.objects.create(explainer=explainer, target=target, position=1)
    client.force_login(desk)
    url = reverse("admin:explainers_explainer_delete", args=[target.pk])
    client.post(url, {"post": "yes"})
    assert Explainer.objects.filter(pk=target.pk).exists()


def test_only_the_desk_deletes_drafts(client, reporter, desk):
    draft = make_explainer()
    url = reverse("admin:explainers_explainer_delete", args=[draft.pk])
    client.force_login(reporter)
    assert client.post(url, {"post": "yes"}).status_code == 403
    client.force_login(desk)
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Explainer.objects.filter(pk=draft.pk).exists()


@pytest.mark.parametrize(
    "path", ["abc/history/", "abc/publish/", "abc/history/compare/?a=1&b=2",
             "abc/history/revision/1/"]
)  # fmt: skip
def test_non_numeric_ids_in_admin_urls_are_404_not_500(client, desk, path):
    client.force_login(desk)
    response = client.get(reverse("admin:explainers_explainer_changelist") + path)
    assert response.status_code in (302, 404)


def test_a_headline_that_gives_no_slug_asks_for_one(client, reporter):
    explainer = make_explainer()
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["main"].update(headline="Що далі?", slug="")
    response = save(client, explainer, form)
    assert response.status_code == 200
    assert "Bitte einen Kurznamen angeben" in response.content.decode()


def test_a_slug_still_public_for_another_explainer_is_refused(client, reporter):
    online = make_explainer()
    publish(online)
    other = make_explainer()
    client.force_login(reporter)
    form = change_form_data(other)
    form["main"]["slug"] = online.slug
    response = save(client, other, form)
    assert response.status_code == 200
    assert "ist noch öffentlich vergeben an" in response.content.decode()


def test_a_delete_checkbox_posted_as_false_does_not_delete_the_source(client, reporter):
    explainer = make_explainer()
    client.force_login(reporter)
    data = encode(change_form_data(explainer))
    data["sources-0-DELETE"] = "false"  # quelle-1 is cited: must stay valid
    assert client.post(change_url(explainer), data).status_code == 302
    assert explainer.sources.count() == 2


def test_crlf_from_the_browser_is_not_a_change(client, reporter):
    """Browsers post textareas with CRLF; an untouched save must not read as a change."""
    explainer = make_explainer()
    publish(explainer)
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["main"]["intro"] = form["main"]["intro"].replace("\n", "\r\n")
    form["questions"][0]["answer"] = form["questions"][0]["answer"] + "\r\n\r\nZweiter Absatz."
    assert save(client, explainer, form).status_code == 302
    explainer.refresh_from_db()
    assert "\r" not in explainer.intro
    assert "\r" not in explainer.questions.get(position=1).answer
    changed = document_from_explainer(explainer)
    latest = explainer.publications.get()
    from explainers.core.diffing import diff_documents

    diff = diff_documents(latest.document, changed)
    assert [f["field"] for f in diff["fields"]] == []  # the intro is untouched
    assert diff["counts"]["changed"] == 1


def test_a_slug_another_explainer_published_before_is_refused_so_old_links_keep_their_target(
    client, reporter
):
    first = make_explainer(slug="x")
    publish(first)
    Explainer.objects.filter(pk=first.pk).update(slug="neu-a")
    first.refresh_from_db()
    publish(first, kind="update", note="Neuer Kurzname")
    other = make_explainer(slug="anderes")
    with pytest.raises(PublishRefused):
        Explainer.objects.filter(pk=other.pk).update(slug="x")
        other.refresh_from_db()
        publish(other)
    Explainer.objects.filter(pk=other.pk).update(slug="anderes")
    client.force_login(reporter)
    form = change_form_data(other)
    form["main"]["slug"] = "x"
    response = save(client, other, form)
    assert response.status_code == 200
    assert "war schon die Adresse von" in response.content.decode()
    assert client.get("/explainers/x/").status_code == 301
