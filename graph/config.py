"""Settings, read once from the environment so that every front (CLI, API, tests) agrees.

WHOSAID_BASE_IRI  where entity, claim and article IRIs live (default https://w3id.org/whosaid/)
WHOSAID_STORE     the store: a folder for the embedded Oxigraph store (default ./var/store)
WHOSAID_CORPUS    the corpus folder (default ./corpus)
WHOSAID_WRITE_TOKENS  "name:secret,name2:secret2": bearer tokens allowed to write through the API
WHOSAID_TOKENS_FILE   a file of "name:secret" lines, instead of or beside the variable
                      (no token at all: the API is read-only)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_BASE_IRI = "https://w3id.org/whosaid/"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def read_write_tokens() -> dict[str, str]:
    """secret -> token name, from WHOSAID_WRITE_TOKENS and WHOSAID_TOKENS_FILE."""
    entries = [e for e in os.environ.get("WHOSAID_WRITE_TOKENS", "").split(",") if e.strip()]
    path = os.environ.get("WHOSAID_TOKENS_FILE")
    if path:
        entries += [line for line in Path(path).read_text(encoding="utf-8").splitlines()
                    if line.strip() and not line.lstrip().startswith("#")]
    tokens = {}
    for entry in entries:
        name, sep, secret = entry.strip().partition(":")
        if not sep or not name or len(secret) < 8:
            raise ValueError(f"write token {name or entry!r}: write name:secret, with a secret of "
                             "at least 8 characters")
        tokens[secret] = name
    return tokens


@dataclass(frozen=True)
class Settings:
    base_iri: str
    store: str
    corpus: Path

    @classmethod
    def from_env(cls) -> "Settings":
        base = os.environ.get("WHOSAID_BASE_IRI", DEFAULT_BASE_IRI)
        if not base.endswith(("/", "#")):
            base += "/"
        return cls(
            base_iri=base,
            store=os.environ.get("WHOSAID_STORE", str(PROJECT_ROOT / "var" / "store")),
            corpus=Path(os.environ.get("WHOSAID_CORPUS", str(PROJECT_ROOT / "corpus"))),
        )
