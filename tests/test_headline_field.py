"""The headline is edited in a box that shows it whole (several lines when it is long), and
stays one line when stored: a line break typed into the box becomes a space."""

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from explainers.models import Explainer
from tests.admin_forms import change_form_data, encode
from tests.factories import make_explainer

pytestmark = pytest.mark.django_db


def test_the_headline_box_has_room_for_a_long_headline_and_no_browser_limit(client, reporter):
    explainer = make_explainer()
    client.force_login(reporter)
    page = client.get(reverse("admin:explainers_explainer_change", args=[explainer.pk]))
    box = lxml_html.fromstring(page.content.decode()).get_element_by_id("id_headline")
    assert box.tag == "textarea" and "headline-input" in box.get("class")
    assert box.get("rows") == "2" and box.text_content().removeprefix("\n") == explainer.headline
    assert box.get("maxlength") is None and box.get("data-limit") == "200"


def test_a_line_break_typed_into_the_headline_is_stored_as_a_space(client, reporter):
    explainer = make_explainer()
    client.force_login(reporter)
    form = change_form_data(explainer)
    form["main"]["headline"] = "Wer garantiert was,\r\n  wenn die Waffen schweigen?\n"
    change = reverse("admin:explainers_explainer_change", args=[explainer.pk])
    assert client.post(change, encode(form)).status_code == 302
    stored = Explainer.objects.get(pk=explainer.pk).headline
    assert stored == "Wer garantiert was, wenn die Waffen schweigen?"
