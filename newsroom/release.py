"""The code release: part of every cache key, so a deploy renews stored pages."""

import hashlib
import os
from pathlib import Path

_PARTS = ("templates", "explainers", "newsroom", "locale")
_SUFFIXES = {".py", ".html", ".css", ".js", ".mo", ".svg", ".txt"}


def code_release(base_dir: Path) -> str:
    """RELEASE from the environment, else a digest of the code, templates and static
    files (computed once at start-up; a few hundred small files)."""
    if os.environ.get("RELEASE"):
        return os.environ["RELEASE"]
    digest = hashlib.sha256()
    for part in _PARTS:
        for path in sorted((base_dir / part).rglob("*")):
            if path.suffix in _SUFFIXES and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(base_dir)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
