"""The public read API: publications as JSON (docs/api.md). It reads through the reader
side's public functions (explainers/reader/public.py, views.reader_response, presenting)
and the domain, never the working copy, the desk or the bake."""
