"""A throwaway PostgreSQL cluster: its own folder in the temp directory, a free loopback port,
a socket in that folder. Never the cluster on 5432 that the suite and CI use.

PostgreSQL refuses to run as root, so as root every server command runs as the `postgres`
OS user (`runuser -u postgres --`, from `/`, which that user may enter).
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.support.servers import HOST, free_port

INSTALL_HINT = "apt-get install -y postgresql"


def find_bin_dir() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl."""
    found = []
    for candidate in Path("/usr/lib/postgresql").glob("*/bin"):
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            version = re.match(r"\d+", candidate.parent.name)
            found.append((int(version.group()) if version else 0, candidate))
    return max(found)[1] if found else None


def missing_reason() -> str:
    """Why no throwaway cluster can be made here, or "" if one can."""
    if find_bin_dir() is None:
        return f"PostgreSQL server binaries are missing: {INSTALL_HINT}"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return f"no `postgres` OS user to run PostgreSQL as: {INSTALL_HINT}"
    return ""


class ClusterError(Exception):
    """A command on the throwaway cluster failed; the message holds its output."""


class ThrowawayCluster:
    """initdb, start, stop (`-m immediate`: a crash, as when the machine loses it), remove."""

    def __init__(self) -> None:
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise ClusterError(f"PostgreSQL server binaries are missing: {INSTALL_HINT}")
        self.bin_dir = bin_dir
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="newsroom-pg-"))
        self.data = self.folder / "data"
        self.log_path = self.folder / "postgres.log"
        self.password = secrets.token_urlsafe(16)
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)

    # commands

    def _server_command(self, name: str, *args: str) -> list[str]:
        command = [str(self.bin_dir / name), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return command

    def run(self, name: str, *args: str, timeout: float = 60, check: bool = True, **kwargs):
        done = subprocess.run(
            self._server_command(name, *args),
            cwd="/",
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            **kwargs,
        )
        if check and done.returncode != 0:
            raise ClusterError(
                f"{name} {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
                f"\n{self.log_tail()}"
            )
        return done

    def create(self) -> None:
        self.run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-E", "UTF8", "--no-locale",
            "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync",
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses={HOST}"
        self.run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log_path), "-o", options,
            "-w", "-t", "30", "start",
        )  # fmt: skip

    def stop(self, mode: str = "immediate") -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def is_running(self) -> bool:
        if not self.data.exists():
            return False
        return self.run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def remove(self) -> None:
        """Stop it if it runs and delete its folder; safe to call more than once."""
        try:
            if self.is_running():
                self.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    # SQL

    def psql_command(self, database: str = "postgres") -> list[str]:
        return self._server_command(
            "psql", "-h", str(self.folder), "-p", str(self.port), "-U", "postgres",
            "-d", database, "-v", "ON_ERROR_STOP=1", "-qtA",
        )  # fmt: skip

    def sql(self, statement: str, database: str = "postgres") -> str:
        done = subprocess.run(
            [*self.psql_command(database), "-c", statement],
            cwd="/",
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if done.returncode != 0:
            raise ClusterError(f"psql {statement!r} failed:\n{done.stderr}")
        return done.stdout.strip()

    def create_database(self, name: str, role: str = "newsroom") -> str:
        """A login role with a password and a database it owns; returns its DATABASE_URL."""
        self.sql(f"CREATE ROLE {role} LOGIN PASSWORD '{self.password}'")
        self.sql(f"CREATE DATABASE {name} OWNER {role}")
        return f"postgres://{role}:{self.password}@{HOST}:{self.port}/{name}"

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> ThrowawayCluster:
        try:
            self.create()
            self.start()
        except BaseException:
            self.remove()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.remove()
