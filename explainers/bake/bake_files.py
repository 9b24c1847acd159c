"""The baked folder: which file holds which URL, files replaced whole or not at all, and
one bake at a time. Plain file system work, no Django."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import tempfile
import time
from pathlib import Path

GONE_FILE = "410.html"  # a withdrawn explainer's folder holds only this page
_INDEX_PAGE_RE = re.compile(r"(.*)index-page-([0-9]+)\.html")


def file_for(path: str) -> str:
    """The file (under public/) holding the page at `path`: a folder URL gets index.html
    (a feed index.atom), "?page=N" of the index index-page-N.html, others keep their name."""
    url, _sep, query = path.partition("?")
    name = url.lstrip("/")
    if query:
        page = re.fullmatch(r"page=([0-9]+)", query)
        if page is None or not url.endswith("/"):
            raise ValueError(f"no file for {path}")
        return f"{name}index-page-{int(page.group(1))}.html"
    if url.endswith("/feed/"):
        return f"{name}index.atom"
    if url.endswith("/"):
        return f"{name}index.html"
    return name


def path_for(file: str) -> str:
    """The URL a baked file answers (the inverse of file_for; a 410 page answers its
    explainer's URL)."""
    index_page = _INDEX_PAGE_RE.fullmatch(file)
    if index_page:
        return f"/{index_page.group(1)}?page={index_page.group(2)}"
    for suffix in ("index.html", "index.atom", GONE_FILE):
        if file == suffix or file.endswith(f"/{suffix}"):
            return "/" + file.removesuffix(suffix)
    return "/" + file


def is_index_page(file: str) -> bool:
    return _INDEX_PAGE_RE.fullmatch(file) is not None


def write_atomic(target: Path, data: bytes) -> None:
    """Readers get the old file or the new one, never a part of it: the bytes go to a
    temporary file beside it, reach the disk and replace the old one in one rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".bake-", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would lock nginx's workers out
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def same_bytes(target: Path, data: bytes) -> bool:
    try:
        return target.stat().st_size == len(data) and target.read_bytes() == data
    except (FileNotFoundError, NotADirectoryError):
        return False


class Folder:
    """The served folder, and what one bake wrote to it and removed from it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.written: set[str] = set()
        self.removed: set[str] = set()

    def path(self, file: str) -> Path:
        if file.startswith("/") or ".." in file.split("/"):
            raise ValueError(f"not inside the bake: {file}")
        return self.root / file

    def has(self, file: str) -> bool:
        return self.path(file).is_file()

    def write(self, file: str, data: bytes) -> None:
        """Unchanged bytes leave the file alone (its inode, its mtime, nginx's ETag)."""
        target = self.path(file)
        if not same_bytes(target, data):
            write_atomic(target, data)
            self.written.add(file)

    def files(self, under: str = "") -> set[str]:
        base = self.path(under) if under else self.root
        if not base.is_dir():
            return set()
        return {p.relative_to(self.root).as_posix() for p in base.rglob("*") if not p.is_dir()}

    def remove(self, files: set[str]) -> None:
        """The files, then the folders they leave empty."""
        folders = set()
        for file in sorted(files):
            self.path(file).unlink(missing_ok=True)
            self.removed.add(file)
            folders.update(self.path(file).parents)
        for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            if self.root in folder.parents:
                with contextlib.suppress(OSError):  # not empty: still in use
                    folder.rmdir()


class Busy(Exception):
    """Another bake holds the folder."""


@contextlib.contextmanager
def locked(lock_file: Path, wait: float | None):
    """One bake at a time (across processes): wait `wait` seconds, or as long as it takes."""
    with open(lock_file, "a") as handle:
        deadline = None if wait is None else time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if deadline is None else fcntl.LOCK_NB))
                break
            except BlockingIOError as busy:
                if time.monotonic() > deadline:
                    raise Busy(lock_file) from busy
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
