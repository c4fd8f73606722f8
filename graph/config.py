"""Settings, read once from the environment so that every front (CLI, API, tests) agrees.

WHOSAID_BASE_IRI  where entity, claim and article IRIs live (default https://w3id.org/whosaid/)
WHOSAID_STORE     the store: a folder for the embedded Oxigraph store (default ./var/store)
WHOSAID_CORPUS    the corpus folder (default ./corpus)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_BASE_IRI = "https://w3id.org/whosaid/"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
