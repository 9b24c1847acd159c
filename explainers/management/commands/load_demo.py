from django.core.management.base import BaseCommand
from django.urls import reverse

from explainers.domain import public_urls
from explainers.domain.demo import load_demo


class Command(BaseCommand):
    help = "Lädt das Demo-Erklärstück (Seed, v1 bis v3) und legt den Demo-Zugang an."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            help="Adresse für die ausgegebenen Links (Standard: PUBLIC_BASE_URL, "
            f"sonst {public_urls.DEV_BASE_URL}; `make run` gibt HOST:PORT an)",
        )

    def handle(self, base_url, **options):
        explainer, login = load_demo()
        latest = explainer.latest_publication()
        base = (base_url or public_urls.configured() or public_urls.DEV_BASE_URL).rstrip("/")
        self.stdout.write(f"Demo: „{explainer.headline}“, Fassung v{latest.number}")
        reader = reverse("explainers:detail", args=[explainer.current.slug])
        self.stdout.write(f"Leseransicht: {base}{reader}")
        self.stdout.write(f"Redaktion (Admin): {base}{reverse('admin:index')}")
        change = reverse("admin:explainers_explainer_change", args=[explainer.pk])
        self.stdout.write(f"Erklärstück im Admin: {base}{change}")
        if login:
            self.stdout.write(f"Login: {login.username} / {login.password}")
