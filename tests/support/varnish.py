"""Varnish from Debian in front of a live app server, with the VCL the project ships
(deploy/varnish/newsroom.vcl), for tests of what a shared cache keeps. varnishd runs in
the foreground with its working folder (`-n`) under a temporary folder; tests skip
without it, and fail under CI=true."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from tests.support.missing_tools import missing
from tests.support.servers import HOST, fetch, free_port

VCL = Path(settings.BASE_DIR) / "deploy" / "varnish" / "newsroom.vcl"


def require_varnish() -> str:
    binary = shutil.which("varnishd") or (
        "/usr/sbin/varnishd" if Path("/usr/sbin/varnishd").exists() else None
    )
    if binary is None:
        missing("varnish is missing: apt-get install -y varnish")
    return binary


@contextmanager
def varnish_in_front_of(backend_port: int, folder: Path):
    """Varnish on a free loopback port caching `backend_port`; yields its base URL."""
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
