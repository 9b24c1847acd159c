"""Varnish from Debian in front of a live app server, with the VCL the project ships
(deploy/varnish/newsroom.vcl), for tests of what a shared cache keeps. varnishd runs in
the foreground with its working folder (`-n`) under a temporary folder; tests skip
without it, and fail under CI=true. `ScriptedBackend` stands in for the app where a test
must make it fail at will."""

from __future__ import annotations

import shutil
import signal
import subprocess
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.support.missing_tools import missing
from tests.support.servers import HOST, ROOT, fetch, free_port

VCL = ROOT / "deploy" / "varnish" / "newsroom.vcl"


def find_varnishd() -> str | None:
    return shutil.which("varnishd") or (
        "/usr/sbin/varnishd" if Path("/usr/sbin/varnishd").exists() else None
    )


def require_varnish() -> str:
    binary = find_varnishd()
    if binary is None:
        missing("varnish is missing: apt-get install -y varnish")
    return binary


@contextmanager
def varnish_in_front_of(backend_port: int, folder: Path):
    """Varnish on a free loopback port caching `backend_port` (both backends of the VCL, the
    probed one and the one without the probe); yields its base URL."""
    binary = require_varnish()
    folder.mkdir(parents=True, exist_ok=True)
    vcl = folder / "newsroom.vcl"
    vcl.write_text(VCL.read_text().replace('.port = "8000";', f'.port = "{backend_port}";'))
    port = free_port()
    log = (folder / "varnishd.log").open("wb")
    process = subprocess.Popen(  # noqa: S603
        [binary, "-F", "-j", "none", "-n", str(folder / "work"), "-a", f"{HOST}:{port}",
         "-f", str(vcl), "-s", "malloc,64m", "-p", "ban_lurker_sleep=0.01"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                fetch(base, "/healthz")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        "varnishd did not start: " + (folder / "varnishd.log").read_text()
                    ) from None
                time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@dataclass
class Script:
    """What the scripted backend answers: `version` in every page, pages and /healthz failing
    on demand; it counts what it was asked."""

    version: int = 1
    cache_control: str = "public, max-age=1, stale-while-revalidate=2, stale-if-error=60"
    pages_fail: bool = False  # 503 with Retry-After, as the app during a database outage
    healthy: bool = True  # /healthz 200 or 503
    gone: bool = False  # connections refused, and open ones closed without an answer
    page_requests: int = 0
    health_checks: int = 0
    failed_health_checks: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class ScriptedBackend:
    """An HTTP server on a free loopback port that answers as `script` says: a page naming
    its path and version (cacheable as the app's reader pages), or a 503, and /healthz."""

    def __init__(self, script: Script) -> None:
        self.script = script
        handler = type("Handler", (_ScriptedHandler,), {"script": script})
        self.server = ThreadingHTTPServer((HOST, free_port()), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> ScriptedBackend:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        """Gone: connections are refused from now on."""
        self.script.gone = True
        self.server.shutdown()
        self.server.server_close()


class _ScriptedHandler(BaseHTTPRequestHandler):
    script: Script
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 – the name http.server calls
        script = self.script
        if script.gone:  # a kept-alive connection of Varnish's: closed as a dying server would
            self.close_connection = True
            return
        with script.lock:
            if self.path == "/healthz":
                script.health_checks += 1
                script.failed_health_checks += not script.healthy
                status, headers = (200 if script.healthy else 503), {"Cache-Control": "no-store"}
                body = b"ok" if script.healthy else b"failing"
            elif script.pages_fail:
                script.page_requests += 1
                status, headers = 503, {"Retry-After": "30", "Cache-Control": "no-store"}
                body = "<p>Die Datenbank ist nicht erreichbar.</p>".encode()  # noqa: UP012
            else:
                script.page_requests += 1
                status, headers = 200, {"Cache-Control": script.cache_control}
                body = f"<p>{self.path} v{script.version}</p>".encode()
        self.send_response(status)
        for name, value in {**headers, "Content-Type": "text/html; charset=utf-8"}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
