"""Our side of the Wagtail comparison, in our own venv with the bench's production
settings (bench/wagtail/run.py sets the environment): the same 8-question document as
Wagtail's page, imported and published, then the same in-process measurements as
`make bench`, in rounds as bench/wagtail/run.py asks for them on stdin (READY, then "round"
→ one JSON line appended to the file named first → DONE), alternating with Wagtail's.
Log lines may go to stdout too."""

import json
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
django.setup()

from bench import http_load, inprocess  # noqa: E402
from bench.texts import SEED, Words, make_document  # noqa: E402
from explainers.domain.importing import import_document  # noqa: E402
from explainers.domain.publishing import publish  # noqa: E402

SLUG = "bench-eight-questions"
WRITE_SLUG = "bench-eight-questions-saved"  # gains a publication per save, so apart


def main() -> None:
    http_load.prepare_database(True, "The Wagtail comparison", "newsroom_bench")
    document = make_document(Words(SEED + 8), SLUG, 8, [])
    publish(import_document(document, comment="Bench: importiert"))
    twin = make_document(Words(SEED + 8), WRITE_SLUG, 8, [])
    publish(import_document(twin, comment="Bench: importiert"))
    reader = inprocess.reader_client()
    editor = inprocess.admin_client()
    out = Path(sys.argv[1])
    print("READY", flush=True)
    for line in sys.stdin:
        if line.strip() != "round":
            continue
        response = inprocess.get_ok(reader, inprocess.detail_url(SLUG))
        cold_sql = inprocess.reader_queries(reader, SLUG)[0]
        cold_ms = inprocess.cold_render_ms(reader, SLUG)
        step = inprocess.save_and_publish(editor, WRITE_SLUG)
        result = {
            "django": django.get_version(),
            "save_publish_ms": step.total_ms,
            "save_publish_sql": step.total_sql,
            "save_ms": step.save_ms,
            "save_sql": step.save_sql,
            "publish_ms": step.publish_ms,
            "publish_sql": step.publish_sql,
            "url": inprocess.detail_url(SLUG),
            "bytes": len(response.content),
            "render_sql": cold_sql,
            "render_ms": cold_ms,
        }
        with out.open("a") as results:
            results.write(json.dumps(result) + "\n")
        print("DONE", flush=True)


if __name__ == "__main__":
    main()
