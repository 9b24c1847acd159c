"""A deployer finds every setting the code reads from the environment in .env.example."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READS = re.compile(
    r"""(?:env_str|env_bool|env_list|os\.environ\.get|getenv)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def variables_read() -> set[str]:
    names = set()
    for folder in ("newsroom", "explainers"):
        for path in (ROOT / folder).rglob("*.py"):
            names.update(READS.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_variable_the_code_reads_is_listed_with_a_comment():
    listed = (ROOT / ".env.example").read_text(encoding="utf-8")
    names = variables_read()
    assert {"DJANGO_SECRET_KEY", "PUBLIC_BASE_URL", "RELEASE"} <= names  # the scan works
    missing = sorted(name for name in names
                     if not re.search(rf"^#? ?.*\b{name}=", listed, re.MULTILINE))  # fmt: skip
    assert not missing, f"not in .env.example: {missing}"
