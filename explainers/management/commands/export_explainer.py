import json

from django.core.management.base import BaseCommand, CommandError

from explainers.core.textformat import export_markdown, export_text
from explainers.domain.builders import document_from_explainer
from explainers.models import Explainer


class Command(BaseCommand):
    help = "Gibt ein Erklärstück (Arbeitsstand oder Fassung N) als JSON, Text oder Markdown aus."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # `--version N` is this command's contract; Django's own --version gives way.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument(
            "--version", type=int, dest="number", help="Fassung N statt Arbeitsstand"
        )
        parser.add_argument("--format", choices=["json", "text", "markdown"], default="json")

    def handle(self, slug, number, format, **options):
        explainer = Explainer.objects.filter(slug=slug).first()
        if explainer is None:
            raise CommandError(f"Kein Erklärstück mit dem Kurznamen „{slug}“.")
        if number is None:
            document = document_from_explainer(explainer)
        else:
            publication = explainer.publications.filter(number=number).first()
            if publication is None:
                raise CommandError(f"„{slug}“ hat keine Fassung v{number}.")
            document = publication.document
        if format == "json":
            output = json.dumps(document, ensure_ascii=False, indent=2)
        elif format == "text":
            output = export_text(document)
        else:
            output = export_markdown(document)
        self.stdout.write(output.rstrip("\n"))
