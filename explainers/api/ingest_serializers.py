"""The ingest API's bodies and answers, as the OpenAPI schema shows them (docs/api.md). A
posted JSON document is read and checked by the importer (explainers/core/document_json.py),
not by these serializers: they describe it."""

from __future__ import annotations

from rest_framework import serializers

from explainers.api.serializers import ProblemSerializer
from explainers.core.documents import SOURCE_KINDS


class IngestImageSerializer(serializers.Serializer):
    src = serializers.CharField(help_text="A file already uploaded to the media storage.")
    alt = serializers.CharField(allow_blank=True)
    caption = serializers.CharField(allow_blank=True, required=False)
    credit = serializers.CharField(allow_blank=True, required=False)
    width = serializers.IntegerField(required=False)
    height = serializers.IntegerField(required=False)


class IngestQuestionSerializer(serializers.Serializer):
    key = serializers.CharField(
        required=False, help_text="The question's identity; without one it is matched or made."
    )
    anchor = serializers.CharField(required=False)
    question = serializers.CharField()
    answer = serializers.CharField(allow_blank=True, help_text="Markdown, with [^key] markers.")
    cites = serializers.ListField(child=serializers.CharField(), required=False)


class IngestSourceSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField(allow_blank=True)
    publisher = serializers.CharField(allow_blank=True, allow_null=True, required=False)
    url = serializers.CharField(allow_blank=True, allow_null=True, required=False)
    date = serializers.CharField(
        allow_blank=True, allow_null=True, required=False, help_text="YYYY-MM-DD"
    )
    kind = serializers.ChoiceField(choices=SOURCE_KINDS, required=False)


class IngestDocumentSerializer(serializers.Serializer):
    """The document as `export_explainer --format json` writes it (docs/architecture.md)."""

    headline = serializers.CharField()
    slug = serializers.CharField(
        required=False,
        help_text="A new explainer's slug (else made from the headline); a revision keeps "
        "the slug of its address.",
    )
    kicker = serializers.CharField(allow_blank=True, required=False)
    teaser = serializers.CharField(allow_blank=True, required=False)
    intro = serializers.CharField(allow_blank=True, required=False)
    language = serializers.CharField(required=False, help_text="Else detected from the text.")
    image = IngestImageSerializer(allow_null=True, required=False)
    questions = IngestQuestionSerializer(many=True)
    sources = IngestSourceSerializer(many=True, required=False)
    related = serializers.ListField(child=serializers.CharField(), required=False)


class WrittenPublicationSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.CharField()
    api_url = serializers.URLField(help_text="The read API's address of the explainer.")


class IngestResultSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text="The working copy's slug: revisions go to its address.")
    revision = serializers.IntegerField(
        help_text='The revision written: the base of the next request (If-Match: "rev-N").'
    )
    created = serializers.BooleanField(help_text="A new explainer.")
    merged_from = serializers.IntegerField(
        allow_null=True,
        help_text="The base revision, when later saves were merged in; else null.",
    )
    publication = WrittenPublicationSerializer(allow_null=True)
    warnings = serializers.ListField(child=serializers.CharField())
    notes = serializers.ListField(child=serializers.CharField())


class ConflictSerializer(serializers.Serializer):
    place = serializers.CharField(help_text="Where, in the desk's words.")
    kind = serializers.ChoiceField(choices=["field", "questions", "sources", "order", "citation"])
    field = serializers.CharField(allow_blank=True)
    theirs = serializers.JSONField(help_text="The value saved since the base revision.")
    yours = serializers.JSONField(help_text="The value in this request.")


class ConflictProblemSerializer(ProblemSerializer):
    base_revision = serializers.IntegerField()
    latest_revision = serializers.IntegerField()
    conflicts = ConflictSerializer(many=True)
