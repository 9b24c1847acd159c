"""How long texts may be: far beyond any real explainer, far below the upload limit
(DATA_UPLOAD_MAX_MEMORY_SIZE), so a pasted megabyte is refused with a clear message by
the form or the importer instead of filling pages, feeds and the search index."""

TEASER_MAX = 1_000
INTRO_MAX = 10_000
ANSWER_MAX = 20_000  # about 3,000 words
NOTE_MAX = 2_000  # notes for readers and internal notes
PASSAGE_MAX = 5_000  # a passage to redact

# Matching work one diff may do (see explainers.diffing.DiffBudget), shared by all texts of
# the two documents: about half a second at most. Rewriting all 50 answers of 400 words of
# an explainer costs about 2.3 million; past the budget a text is compared by lines, then
# replaced as a whole.
DIFF_WORK_BUDGET = 5_000_000

# What one explainer's answers may become on a page. Every citation marker ("[^dlf]", five
# characters or so) turns into a linked footnote of about a hundred bytes, so a form of
# markers grew twenty times. Checked when the desk saves, imports or publishes; stored
# publications above it still render.
MAX_CITATION_MARKERS = 3_000  # in all answers together; a real explainer has a few hundred
MAX_RENDERED_BYTES = 2_000_000  # all answers rendered as HTML, in UTF-8 bytes
