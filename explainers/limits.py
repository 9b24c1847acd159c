"""How long texts may be: far beyond any real explainer, far below the upload limit
(DATA_UPLOAD_MAX_MEMORY_SIZE), so a pasted megabyte is refused with a clear message by
the form or the importer instead of filling pages, feeds and the search index."""

TEASER_MAX = 1_000
INTRO_MAX = 10_000
ANSWER_MAX = 20_000  # about 3,000 words
NOTE_MAX = 2_000  # notes for readers and internal notes
PASSAGE_MAX = 5_000  # a passage to redact
