"""Who may do what in the admin: every URL and action, for every role, POSTs included."""

import pytest
from django.contrib.flatpages.models import FlatPage
from django.urls import reverse
from reversion.models import Version

from explainers.domain.builders import document_from_explainer
from explainers.domain.publishing import publish
from explainers.domain.revisions import latest_revision
from explainers.domain.roles import DESK, REPORTERS, setup_roles
from explainers.models import Explainer, Question, RelatedLink
from tests.admin_forms import change_form_data, encode
from tests.factories import make_explainer, make_user

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "reporter", "desk", "superuser"]


@pytest.fixture
def as_role(client):
    def login(role):
        if role == "reporter":
            client.force_login(make_user("reporter"))
        elif role == "desk":
            client.force_login(make_user("desk", publish=True))
        elif role == "superuser":
            client.force_login(make_user("chef", superuser=True))
        return client

    return login


def admin_url(name, *args):
    return reverse(f"admin:explainers_explainer_{name}", args=args)


def status(response):
    """302 to the login page counts as refused, like 403 and 404."""
    if response.status_code == 302 and "/admin/login/" in response["Location"]:
        return "login"
    return response.status_code


READS = {
    "changelist": lambda e, r: admin_url("changelist"),
    "add": lambda e, r: admin_url("add"),
    "change": lambda e, r: admin_url("change", e.pk),
    "history": lambda e, r: admin_url("history", e.pk),
    "revision": lambda e, r: admin_url("revision", e.pk, r.pk),
    "compare": lambda e, r: admin_url("compare", e.pk) + f"?a={r.pk}&b={r.pk + 1}",
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("admin_page", sorted(READS))
def test_reading_admin_pages(as_role, role, admin_page):
    explainer = make_explainer()
    revision = latest_revision(explainer)
    client = as_role(role)
    code = status(client.get(READS[admin_page](explainer, revision)))
    if role == "anonymous":
        assert code == "login"
    elif admin_page == "compare":
        assert code in (200, 302, 404)  # only one revision: sent back to the history
    else:
        assert code == 200


PUBLISH_EXPECTED = {"anonymous": "login", "reporter": 403, "desk": 302, "superuser": 302}


@pytest.mark.parametrize("role", ROLES)
def test_publishing_by_posting_the_form_directly(as_role, role):
    explainer = make_explainer()
    client = as_role(role)
    assert status(client.post(admin_url("publish", explainer.pk), {})) == PUBLISH_EXPECTED[role]
    assert explainer.publications.exists() == (PUBLISH_EXPECTED[role] == 302)


@pytest.mark.parametrize("role", ROLES)
def test_reverting_a_published_explainer(as_role, role):
    explainer = make_explainer()
    first = latest_revision(explainer)
    publish(explainer)
    Question.objects.filter(explainer=explainer, position=1).update(answer="Später.")
    client = as_role(role)
    code = status(client.post(admin_url("revert", explainer.pk, first.pk)))
    assert code == PUBLISH_EXPECTED[role]


@pytest.mark.parametrize("role", ROLES)
def test_reverting_a_draft_is_for_everyone_who_edits(as_role, role):
    explainer = make_explainer()
    first = latest_revision(explainer)
    client = as_role(role)
    code = status(client.post(admin_url("revert", explainer.pk, first.pk)))
    assert code == ("login" if role == "anonymous" else 302)


DELETE_DRAFT = {"anonymous": "login", "reporter": 403, "desk": 302, "superuser": 302}


@pytest.mark.parametrize("role", ROLES)
def test_deleting_a_draft(as_role, role):
    explainer = make_explainer()
    client = as_role(role)
    code = status(client.post(admin_url("delete", explainer.pk), {"post": "yes"}))
    assert code == DELETE_DRAFT[role]
    assert Explainer.objects.filter(pk=explainer.pk).exists() == (code != 302)


@pytest.mark.parametrize("role", ROLES)
def test_nobody_deletes_a_published_explainer(as_role, role):
    explainer = make_explainer()
    publish(explainer)
    client = as_role(role)
    client.post(admin_url("delete", explainer.pk), {"post": "yes"})
    action = {"action": "delete_selected", "_selected_action": [explainer.pk], "post": "yes"}
    client.post(admin_url("changelist"), action)
    assert Explainer.objects.filter(pk=explainer.pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_reversions_own_revert_and_recover_urls_change_nothing(as_role, role):
    explainer = make_explainer()
    version = Version.objects.get_for_object(explainer).last()
    publish(explainer)
    Question.objects.filter(explainer=explainer, position=1).update(question="Bleibt?")
    client = as_role(role)
    base = admin_url("changelist")
    client.post(f"{base}{explainer.pk}/history/{version.pk}/", encode(change_form_data(explainer)))
    client.post(f"{base}recover/{version.pk}/")
    assert Question.objects.filter(question="Bleibt?").exists()


def test_a_reporter_cannot_add_recommendations_by_posting_them(as_role):
    explainer, other = make_explainer(), make_explainer()
    client = as_role("reporter")
    form = change_form_data(explainer)
    form["related_links"].append({"target": other.pk, "position": 1, "explainer": explainer.pk})
    client.post(admin_url("change", explainer.pk), encode(form))
    assert not RelatedLink.objects.exists()
    assert document_from_explainer(explainer)["related"] == []


def test_the_desk_adds_recommendations(as_role):
    explainer, other = make_explainer(), make_explainer()
    client = as_role("desk")
    form = change_form_data(explainer)
    form["related_links"].append({"target": other.pk, "position": 1, "explainer": explainer.pk})
    assert client.post(admin_url("change", explainer.pk), encode(form)).status_code == 302
    assert document_from_explainer(explainer)["related"] == [other.slug]


@pytest.mark.parametrize("role, allowed", [("reporter", False), ("desk", True)])
def test_the_legal_pages_are_edited_by_the_desk(as_role, role, allowed):
    page = FlatPage.objects.get(url="/impressum/")
    client = as_role(role)
    url = reverse("admin:flatpages_flatpage_change", args=[page.pk])
    assert (client.get(url).status_code == 200) == allowed


def test_setup_roles_is_idempotent_and_gives_each_group_its_rights():
    first = setup_roles()
    assert setup_roles() == first
    from django.contrib.auth.models import Group

    reporters = set(
        Group.objects.get(name=REPORTERS).permissions.values_list("codename", flat=True)
    )
    desk = set(Group.objects.get(name=DESK).permissions.values_list("codename", flat=True))
    assert "publish_explainer" not in reporters and "delete_explainer" not in reporters
    assert {"publish_explainer", "delete_explainer", "add_relatedlink"} <= desk
    assert reporters < desk
