"""nginx in front of a live app server, configured as docs/security.md recommends, for tests of
what the app sees behind a proxy. nginx runs in the foreground with everything under a
temporary folder (bench.http_load.Nginx); tests skip without it, and fail under CI=true."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from tests.support.missing_tools import missing
from tests.support.servers import Nginx, find_nginx

# The reverse-proxy block of docs/security.md ("Behind a proxy").
DOCUMENTED_LOCATION = """\
location / {{
    proxy_pass {upstream};
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Request-ID $request_id;
}}
"""


def require_nginx() -> str:
    binary = find_nginx()
    if binary is None:
        missing("nginx is missing: apt-get install -y nginx")
    return binary


@contextmanager
def nginx_in_front_of(upstream: str, folder: Path):
    """nginx on a free loopback port passing every request to `upstream` (a base URL);
    yields the running Nginx (its `.base` and `.port`)."""
    binary = require_nginx()
    folder.mkdir(parents=True, exist_ok=True)
    snippet = folder / "proxy.conf"
    snippet.write_text(DOCUMENTED_LOCATION.format(upstream=upstream))
    with Nginx(binary, snippet, folder, workers=1) as nginx:
        yield nginx
