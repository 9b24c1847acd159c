"""Real servers on loopback for tests, the benchmark and the load test: gunicorn as in
production, nginx in the foreground with everything under one folder, and a plain GET.
Nothing here listens beyond 127.0.0.1 or writes outside the folders it is given."""

from __future__ import annotations

import grp
import http.client
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the project, where manage.py is
HOST = "127.0.0.1"


class ServerFailure(Exception):
    """A server did not start or answer as it should."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with sync workers, started from the project root with our environment."""

    def __init__(self, env: dict[str, str], workers: int, log_path: Path) -> None:
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.env = env
        self.workers = workers
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> None:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        command = [str(gunicorn), "newsroom.wsgi:application", "--bind", f"{HOST}:{self.port}"]
        command += ["--workers", str(self.workers), "--worker-class", "sync"]
        command += ["--log-level", "warning", "--chdir", str(ROOT)]
        self.log_file = self.log_path.open("w")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.log_file, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerFailure(f"gunicorn exited:\n{self.log_tail()}")
            try:
                if fetch(self.base, "/bench/floor/100/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise ServerFailure(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None:
            self.log_file.close()

    def log_tail(self, lines: int = 40) -> str:
        self.log_file.flush()
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def find_nginx() -> str | None:
    found = shutil.which("nginx")
    if found is None and os.access("/usr/sbin/nginx", os.X_OK):  # sbin is not on every PATH
        found = "/usr/sbin/nginx"
    return found


class Nginx:
    """nginx in the foreground with its own config around a bake's snippet: everything
    under `folder`, a free loopback port, the current user (no system paths)."""

    TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")

    def __init__(self, binary: str, snippet: Path, folder: Path, workers: int = 2) -> None:
        self.binary = binary
        self.snippet = snippet
        self.folder = folder
        self.workers = workers
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.config_path = folder / "nginx.conf"
        self.log_path = folder / "error.log"
        self.process: subprocess.Popen | None = None

    def config(self) -> str:
        user = ""
        if os.geteuid() == 0:  # nginx's workers would otherwise run as "nobody"
            user = (
                f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};"
            )
        temp = [f"    {name}_temp_path {self.folder / name};" for name in self.TEMP_PATHS]
        return "\n".join([
            "daemon off;",
            f"worker_processes {self.workers};",
            user,
            f"pid {self.folder / 'nginx.pid'};",
            f"error_log {self.log_path} warn;",
            "events { worker_connections 1024; }",
            "http {",
            "    access_log off;",
            *temp,
            "    server {",
            f"        listen {HOST}:{self.port};",
            "        server_name localhost;",
            f"        include {self.snippet};",
            "    }",
            "}",
            "",
        ])  # fmt: skip

    def command(self, *extra: str) -> list[str]:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(self.config())
        prefix = ["-p", str(self.folder), "-e", str(self.log_path), "-c", str(self.config_path)]
        return [self.binary, *prefix, *extra]

    def test(self) -> subprocess.CompletedProcess:
        """`nginx -t`: the config with the snippet, checked without starting."""
        return subprocess.run(self.command("-t"), capture_output=True, text=True, check=False)

    def start(self, timeout: float = 15.0) -> None:
        self.process = subprocess.Popen(
            self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerFailure(f"nginx exited:\n{self.log_tail()}")
            try:
                socket.create_connection((HOST, self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise ServerFailure(f"nginx did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def __enter__(self) -> Nginx:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def fetch(base: str, path: str, headers: dict[str, str] | None = None):
    """(status, headers, body) of one GET, no redirects followed."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, response.msg, body
    finally:
        connection.close()
