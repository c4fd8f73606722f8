"""Every setting an operator can change, in one place, each with its default and what it does.

Settings are read from the environment once (Settings.from_env) and passed to whatever needs them:
the CLI, the server, the write path. No other module reads the environment. The README's list of
settings is checked against SETTINGS by a test, so the two cannot drift apart.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable

DEFAULT_BASE_IRI = "https://w3id.org/whosaid/"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_SECRET_LENGTH = 16


@dataclass(frozen=True)
class Setting:
    env: str           # the environment variable
    default: Any       # its value when the variable is not set
    parse: Callable[[str], Any]
    help: str          # what it does, for the README and error messages


def _csv(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


ENGINES = ("auto", "oxigraph", "virtuoso", "sparql")


def _engine(text: str) -> str:
    value = text.strip().lower()
    if value not in ENGINES:
        raise ValueError(f"must be one of {', '.join(ENGINES)}")
    return value


def _flag(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("must be true or false")


def _positive(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str):
        value = kind(text)
        if value <= 0:
            raise ValueError("must be more than 0")
        return value
    return parse


# Field name -> Setting. The order is the README's order.
SETTINGS: dict[str, Setting] = {
    "base_iri": Setting("WHOSAID_BASE_IRI", DEFAULT_BASE_IRI, str,
                        "Where entity, claim and article IRIs live."),
    "store": Setting("WHOSAID_STORE", str(PROJECT_ROOT / "var" / "store"), str,
                     "The store: a folder for the embedded Oxigraph store, or the URL of an "
                     "external SPARQL 1.1 query endpoint."),
    "corpus": Setting("WHOSAID_CORPUS", PROJECT_ROOT / "corpus", Path,
                      "The corpus folder that `whosaid build` reads."),
    "update_endpoint": Setting("WHOSAID_UPDATE_ENDPOINT", None, str,
                               "An external store's SPARQL update endpoint (default: the query "
                               "endpoint with /query replaced by /update; on Virtuoso, "
                               "/sparql replaced by /sparql-auth)."),
    "store_engine": Setting("WHOSAID_STORE_ENGINE", "auto", _engine,
                            "Which engine an external store is: oxigraph, virtuoso, or sparql "
                            "(any other SPARQL 1.1 store); auto asks the endpoint (its Server "
                            "header). Virtuoso needs its own adapter (graph/virtuoso.py)."),
    "store_user": Setting("WHOSAID_STORE_USER", None, str,
                          "The account an external store's updates are sent as (HTTP digest "
                          "auth on Virtuoso, basic auth elsewhere); reads stay anonymous."),
    "store_password": Setting("WHOSAID_STORE_PASSWORD", None, str,
                              "That account's password."),
    "store_text_index": Setting("WHOSAID_STORE_TEXT_INDEX", False, _flag,
                                "Whether an external store's own text index serves `words` "
                                "searches: Virtuoso only, set up once as the README says "
                                "(\"Full text on Virtuoso\"). Without it, `words` needs the "
                                "embedded store's claim index."),
    "write_tokens": Setting("WHOSAID_WRITE_TOKENS", (), _csv,
                            f"Bearer tokens allowed to write, as name:secret,name2:secret2 "
                            f"(secrets of at least {MIN_SECRET_LENGTH} characters). None: the API "
                            "is read-only."),
    "tokens_file": Setting("WHOSAID_TOKENS_FILE", None, Path,
                           "A file of name:secret lines, read beside WHOSAID_WRITE_TOKENS "
                           "(keeps secrets out of the process environment)."),
    "query_timeout": Setting("WHOSAID_QUERY_TIMEOUT", 5.0, _positive(float),
                             "Seconds a GraphQL read may take, counted from its arrival; past it "
                             "the work is stopped and the answer is a TIMEOUT error."),
    "max_query_cost": Setting("WHOSAID_MAX_QUERY_COST", 5000, _positive(int),
                              "Largest cost of one GraphQL request: each field counts once per "
                              "object it can be asked of, so a list multiplies the cost of what "
                              "is under it by its `first`."),
    "serve_workers": Setting("WHOSAID_SERVE_WORKERS", 1, _positive(int),
                             "Processes `whosaid serve` runs on its one port, each answering "
                             "requests on its own: Python runs one thread at a time per process, "
                             "so more processes let reads use more cores. Only for a server "
                             "without write tokens (one that writes owns its store). Each is a "
                             "whole server with its own store handle, caches, read threads and "
                             "SPARQL workers, so memory grows about linearly with it, and the "
                             "read and SPARQL limits below apply per process."),
    "read_workers": Setting("WHOSAID_READ_WORKERS", 4, _positive(int),
                            "Threads that run GraphQL and page reads against the store."),
    "read_queue": Setting("WHOSAID_READ_QUEUE", 32, _positive(int),
                          "Reads that may wait for a thread; past that a read is answered 503 "
                          "with Retry-After at once."),
    "sparql_timeout": Setting("WHOSAID_SPARQL_TIMEOUT", 5.0, _positive(float),
                              "Seconds a /sparql query may take, counted from its arrival; past "
                              "it the worker evaluating it is killed and the answer is 503."),
    "sparql_workers": Setting("WHOSAID_SPARQL_WORKERS", 2, _positive(int),
                              "Worker processes that evaluate /sparql queries."),
    "sparql_queue": Setting("WHOSAID_SPARQL_QUEUE", 8, _positive(int),
                            "/sparql queries that may wait for a worker; past that a query is "
                            "answered 503 with Retry-After at once."),
    "sparql_max_rows": Setting("WHOSAID_SPARQL_MAX_ROWS", 10_000, _positive(int),
                               "Rows (solutions or triples) a /sparql answer may hold; the rest "
                               "is cut and the X-Whosaid-Truncated header says so."),
    "sparql_worker_memory_mb": Setting("WHOSAID_SPARQL_WORKER_MEMORY_MB", 1024, _positive(int),
                                       "Address space a /sparql worker may use; a query that "
                                       "needs more fails with 400 and the worker is replaced."),
    "max_response_bytes": Setting("WHOSAID_MAX_RESPONSE_BYTES", 32_000_000, _positive(int),
                                  "Largest /sparql answer body; a larger one is refused with 413 "
                                  "(dumps are streamed and not capped)."),
    "federation_allow": Setting("WHOSAID_FEDERATION_ALLOW", (), _csv,
                                "Comma-separated endpoint IRIs that SPARQL SERVICE may call. "
                                "Empty (the default): any SERVICE is refused with 400 and the "
                                "server never makes an outbound request for a client."),
    "max_query_bytes": Setting("WHOSAID_MAX_QUERY_BYTES", 100_000, _positive(int),
                               "Largest GraphQL or SPARQL query text and largest body of a read "
                               "request; larger is refused with 413 before it is read."),
    "max_submission_bytes": Setting("WHOSAID_MAX_SUBMISSION_BYTES", 5_000_000, _positive(int),
                                    "Largest article submission (YAML plus text, or an addArticle "
                                    "request body); larger is refused with 413 before parsing."),
    "write_timeout": Setting("WHOSAID_WRITE_TIMEOUT", 60.0, _positive(float),
                             "Seconds an addArticle may spend checking before it is refused "
                             "(nothing written). Once the write itself starts it is finished "
                             "and answered: a write never times out and then commits."),
}


@dataclass(frozen=True)
class Settings:
    base_iri: str = DEFAULT_BASE_IRI
    store: str = SETTINGS["store"].default
    corpus: Path = SETTINGS["corpus"].default
    update_endpoint: str | None = None
    store_engine: str = "auto"
    store_user: str | None = None
    store_password: str | None = field(default=None, repr=False)  # kept out of logs
    store_text_index: bool = False
    write_tokens: tuple[str, ...] = ()
    tokens_file: Path | None = None
    query_timeout: float = SETTINGS["query_timeout"].default
    max_query_cost: int = SETTINGS["max_query_cost"].default
    serve_workers: int = SETTINGS["serve_workers"].default
    read_workers: int = SETTINGS["read_workers"].default
    read_queue: int = SETTINGS["read_queue"].default
    sparql_timeout: float = SETTINGS["sparql_timeout"].default
    sparql_workers: int = SETTINGS["sparql_workers"].default
    sparql_queue: int = SETTINGS["sparql_queue"].default
    sparql_max_rows: int = SETTINGS["sparql_max_rows"].default
    sparql_worker_memory_mb: int = SETTINGS["sparql_worker_memory_mb"].default
    max_response_bytes: int = SETTINGS["max_response_bytes"].default
    federation_allow: tuple[str, ...] = ()
    max_query_bytes: int = SETTINGS["max_query_bytes"].default
    max_submission_bytes: int = SETTINGS["max_submission_bytes"].default
    write_timeout: float = SETTINGS["write_timeout"].default

    def __post_init__(self) -> None:
        if not self.base_iri.endswith(("/", "#")):
            object.__setattr__(self, "base_iri", self.base_iri + "/")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        """Settings from the environment; `overrides` (e.g. a --store option) win over it.
        A value that does not parse is a ValueError naming the variable."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, s in SETTINGS.items():
            raw = environ.get(s.env)
            if raw is None or raw == "":
                continue
            try:
                values[name] = s.parse(raw)
            except ValueError as exc:
                raise ValueError(f"{s.env}={raw!r}: {exc}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes) -> "Settings":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def export(self, environ: dict[str, str] | None = None) -> None:
        """Write into `environ` (default: this process's environment) what makes
        Settings.from_env(environ) give these settings: for child processes that read their
        settings afresh, such as the server's workers (WHOSAID_SERVE_WORKERS), when some came
        from options rather than the environment. Only the values that differ are written."""
        environ = os.environ if environ is None else environ
        current = Settings.from_env(environ)
        for name, s in SETTINGS.items():
            value = getattr(self, name)
            if value == getattr(current, name):
                continue
            if value is None or value == ():
                environ.pop(s.env, None)
            else:
                environ[s.env] = ",".join(value) if isinstance(value, tuple) else str(value)
        if Settings.from_env(environ) != self:
            raise ValueError("these settings cannot be passed on through the environment")

    def write_token_table(self) -> "Tokens":
        return Tokens.read(self.write_tokens, self.tokens_file)


class Tokens:
    """Write tokens: names by secret. Lookup compares every secret in constant time, so the
    time an answer takes says nothing about how much of a guess was right."""

    def __init__(self, names_by_secret: dict[str, str]):
        self._entries = [(secret.encode("utf-8"), name) for secret, name in names_by_secret.items()]

    @classmethod
    def read(cls, entries: tuple[str, ...] | list[str], path: Path | None = None) -> "Tokens":
        lines = list(entries)
        if path is not None:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ValueError(f"WHOSAID_TOKENS_FILE {path}: cannot read it ({exc})") from None
            lines += [line for line in text.splitlines()
                      if line.strip() and not line.lstrip().startswith("#")]
        table = {}
        for entry in lines:
            name, sep, secret = entry.strip().partition(":")
            if not sep or not name or len(secret) < MIN_SECRET_LENGTH:
                raise ValueError(f"write token {name or '(unnamed)'!r}: write name:secret, with a "
                                 f"secret of at least {MIN_SECRET_LENGTH} characters")
            table[secret] = name
        return cls(table)

    def __bool__(self) -> bool:
        return bool(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def name_of(self, secret: str) -> str | None:
        """The token's name if `secret` is a valid one, else None (constant time in the secret)."""
        offered = secret.encode("utf-8", "surrogatepass")
        found = None
        for known, name in self._entries:
            if hmac.compare_digest(known, offered):
                found = name
        return found


def settings_table() -> list[tuple[str, str, str]]:
    """(variable, default, help) for every setting, as the README lists them."""
    def shown(value) -> str:
        if value is None or value == ():
            return "(none)"
        if isinstance(value, Path) or (isinstance(value, str) and value.startswith(str(PROJECT_ROOT))):
            return "./" + str(Path(value).relative_to(PROJECT_ROOT))
        if isinstance(value, int) and not isinstance(value, bool) and value >= 10_000:
            return f"{value:_}"
        return str(value)
    return [(s.env, shown(s.default), s.help) for s in SETTINGS.values()]


def settings_markdown() -> str:
    """The README's table of settings (tests/test_settings.py keeps the README equal to it)."""
    rows = ["| variable | default | what it does |", "|---|---|---|"]
    rows += [f"| `{env}` | `{default}` | {text} |" for env, default, text in settings_table()]
    return "\n".join(rows) + "\n"


assert [f.name for f in fields(Settings)] == list(SETTINGS), "Settings and SETTINGS must list the same names"
