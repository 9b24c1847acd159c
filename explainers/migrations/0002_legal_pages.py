"""Impressum and Datenschutz as flat pages the desk edits in the admin.

The starting text names what a German publisher must state; the desk fills in the
publisher's own details before going live.
"""

from django.db import migrations

IMPRESSUM = """<p>Angaben gemäß § 5 Digitale-Dienste-Gesetz (DDG) und § 18 Medienstaatsvertrag (MStV).</p>
<h2>Anbieter</h2>
<p>Name des Verlags, Rechtsform<br>Straße und Hausnummer<br>Postleitzahl und Ort</p>
<h2>Kontakt</h2>
<p>E-Mail-Adresse und Telefonnummer der Redaktion</p>
<h2>Verantwortlich für den Inhalt nach § 18 Abs. 2 MStV</h2>
<p>Name und Anschrift der verantwortlichen Person</p>
<p>Die Redaktion pflegt diese Angaben im Admin unter „Statische Seiten“.</p>"""

DATENSCHUTZ = """<p>Diese Seiten setzen keine Cookies für Leserinnen und Leser und binden keine Dienste
Dritter ein. Beim Abruf verarbeitet der Server technisch notwendige Daten (IP-Adresse,
Zeitpunkt, abgerufene Adresse), um die Seiten auszuliefern und Angriffe abzuwehren.</p>
<h2>Verantwortliche Stelle</h2>
<p>Siehe Impressum.</p>
<h2>Ihre Rechte</h2>
<p>Sie haben das Recht auf Auskunft, Berichtigung, Löschung und Einschränkung der
Verarbeitung sowie auf Beschwerde bei einer Datenschutz-Aufsichtsbehörde.</p>
<p>Die Redaktion pflegt diese Angaben im Admin unter „Statische Seiten“.</p>"""


def create_pages(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    FlatPage = apps.get_model("flatpages", "FlatPage")
    site, _created = Site.objects.get_or_create(pk=1, defaults={"domain": "localhost", "name": "Newsroom"})
    for url, title, content in (
        ("/impressum/", "Impressum", IMPRESSUM),
        ("/datenschutz/", "Datenschutz", DATENSCHUTZ),
    ):
        page, _created = FlatPage.objects.get_or_create(
            url=url, defaults={"title": title, "content": content}
        )
        page.sites.add(site)


class Migration(migrations.Migration):
    dependencies = [
        ("explainers", "0001_initial"),
        ("flatpages", "0001_initial"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(create_pages, migrations.RunPython.noop)]
