"""What the API answers, field by field. The views build plain dicts from publications;
these serializers shape them and describe them in the OpenAPI schema (/api/schema/)."""

from __future__ import annotations

from rest_framework import serializers


class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()


class GoneSerializer(ProblemSerializer):
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    address_removed = serializers.BooleanField(
        help_text="Not the explainer but this address is gone: its name carried a redacted passage."
    )


class RenditionSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Absolute URL of this smaller copy.")
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class ImageSerializer(serializers.Serializer):
    src = serializers.CharField()
    url = serializers.URLField(
        help_text="The image's absolute URL (on the media storage's host, if it has its own)."
    )
    alt = serializers.CharField(allow_blank=True)
    caption = serializers.CharField(allow_blank=True, required=False)
    credit = serializers.CharField(allow_blank=True, required=False)
    width = serializers.IntegerField(allow_null=True, required=False)
    height = serializers.IntegerField(allow_null=True, required=False)
    renditions = RenditionSerializer(
        many=True,
        help_text="Smaller copies stored beside the image, narrowest first (none for images "
        "published before sizes were recorded).",
    )


class QuestionSerializer(serializers.Serializer):
    key = serializers.CharField()
    anchor = serializers.CharField()
    question = serializers.CharField()
    answer = serializers.CharField(allow_blank=True, help_text="The answer as Markdown, as typed.")
    cites = serializers.ListField(child=serializers.CharField())


class SourceSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField(allow_blank=True)
    publisher = serializers.CharField(allow_blank=True)
    url = serializers.CharField(allow_blank=True, allow_null=True)
    date = serializers.CharField(allow_blank=True, allow_null=True)
    kind = serializers.CharField(allow_blank=True)


class DocumentSerializer(serializers.Serializer):
    """The document as published (docs/architecture.md, "One shape")."""

    headline = serializers.CharField()
    slug = serializers.CharField()
    kicker = serializers.CharField(allow_blank=True)
    teaser = serializers.CharField(allow_blank=True)
    intro = serializers.CharField(allow_blank=True)
    language = serializers.CharField()
    image = ImageSerializer(allow_null=True)
    questions = QuestionSerializer(many=True)
    sources = SourceSerializer(many=True)
    related = serializers.ListField(child=serializers.CharField())


class NoteSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    published_at = serializers.CharField()


class ExplainerSummarySerializer(serializers.Serializer):
    slug = serializers.CharField()
    headline = serializers.CharField()
    kicker = serializers.CharField(allow_blank=True)
    teaser = serializers.CharField(allow_blank=True)
    language = serializers.CharField()
    number = serializers.IntegerField(help_text="The current publication's number.")
    questions = serializers.IntegerField(help_text="How many questions it has.")
    stand_at = serializers.DateTimeField()
    first_published_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField(
        help_text="The latest change readers saw (a publication of any kind, a redaction)."
    )
    url = serializers.URLField(help_text="The reader page.")
    api_url = serializers.URLField()


class PublicationSerializer(serializers.Serializer):
    """One publication: the facts, the document and the answers as rendered when published."""

    slug = serializers.CharField(help_text="The explainer's current public slug.")
    number = serializers.IntegerField()
    is_latest = serializers.BooleanField()
    kind = serializers.ChoiceField(
        choices=["first", "update", "correction", "clarification", "minor"]
    )
    note = serializers.CharField(allow_blank=True, help_text="The public note to readers.")
    published_at = serializers.DateTimeField()
    stand_at = serializers.DateTimeField()
    first_published_at = serializers.DateTimeField()
    byline = serializers.CharField(allow_blank=True)
    url = serializers.URLField(help_text="The reader page of this publication.")
    document = DocumentSerializer()
    answers_html = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        help_text="Each question's answer (by key) as HTML, as stored with the publication.",
    )
    change_log = NoteSerializer(
        many=True, help_text="The public notes up to this publication, newest first."
    )


class QuestionDetailSerializer(serializers.Serializer):
    slug = serializers.CharField()
    number = serializers.IntegerField(help_text="The publication the question is taken from.")
    position = serializers.IntegerField()
    headline = serializers.CharField()
    language = serializers.CharField()
    question = QuestionSerializer()
    answer_html = serializers.CharField(allow_blank=True)
    sources = SourceSerializer(many=True, help_text="The sources the question cites.")
    url = serializers.URLField(help_text="The question on the reader page.")


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    published_at = serializers.DateTimeField()
    stand_at = serializers.DateTimeField()
    byline = serializers.CharField(allow_blank=True)
    url = serializers.URLField()
    api_url = serializers.URLField()
    diff_api_url = serializers.URLField(
        allow_null=True, help_text="The diff from the previous publication."
    )


class VersionsSerializer(serializers.Serializer):
    slug = serializers.CharField()
    versions = VersionSerializer(many=True, help_text="Newest first.")


class DiffSerializer(serializers.Serializer):
    """explainers/core/diffing.py's diff_documents, with reader/presenting.py's present_diff
    additions (an added or removed question's whole answer as HTML, citation numbers)."""

    fields = serializers.ListField(
        child=serializers.DictField(),
        help_text="Changed fields: field, old, new, ops (word operations) …",
    )
    questions = serializers.ListField(
        child=serializers.DictField(),
        help_text="Every question of both publications: key, status (unchanged, changed, "
        "added, removed), moved, question_ops, answer_ops, answer_html …",
    )
    sources = serializers.DictField(help_text="added, removed, changed, reordered")
    counts = serializers.DictField(child=serializers.IntegerField())
    is_empty = serializers.BooleanField()
    source_numbers = serializers.DictField(child=serializers.IntegerField())


class DiffResponseSerializer(serializers.Serializer):
    slug = serializers.CharField()
    older = serializers.IntegerField()
    newer = serializers.IntegerField()
    notes = NoteSerializer(many=True, help_text="The public notes of the publications in between.")
    diff = DiffSerializer()
    url = serializers.URLField(help_text="The reader diff page.")


class SearchHitSerializer(serializers.Serializer):
    slug = serializers.CharField()
    anchor = serializers.CharField(allow_blank=True)
    headline = serializers.CharField()
    title = serializers.CharField()
    language = serializers.CharField()
    snippet = serializers.CharField(help_text="HTML with <mark> around the matches.")
    url = serializers.URLField()
    api_url = serializers.URLField()


class ExplainerPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ExplainerSummarySerializer(many=True)


class SearchPageSerializer(serializers.Serializer):
    query = serializers.CharField(allow_blank=True)
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SearchHitSerializer(many=True)
