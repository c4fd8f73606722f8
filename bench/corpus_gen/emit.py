"""A small, fast YAML writer for the corpus format, and a Zipf sampler.

yaml.safe_dump is several times slower than plain string building and lays documents out
differently from the hand-written corpus; this writer emits the layout of corpus/articles/*.yaml.
Every string is double-quoted (so that ids such as `no`, `on` or `1e3` stay strings), and
tests/test_corpus_gen.py checks that yaml.safe_load gives back exactly the document written.
"""

from __future__ import annotations

import bisect
import json
import random
from typing import Any, Sequence

# JSON's string escapes (\" \\ \n \t \uXXXX for control characters) are YAML double-quoted
# escapes too; the C encoder leaves other characters as they are (UTF-8 in the file).
_quote = json.encoder.encode_basestring


def q(s: str) -> str:
    """A YAML double-quoted scalar."""
    if "\u2028" in s or "\u2029" in s or "\x85" in s:  # YAML line breaks: escape them too
        return _quote(s).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\x85")
    return _quote(s)


def scalar(v: Any) -> str:
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        text = repr(v)
        if "e" in text or "n" in text:  # PyYAML reads only the dotted float forms
            raise ValueError(f"float {v!r} has no plain YAML form")
        return text
    return q(v)


def flow(v: Any) -> str:
    """A scalar, a list of scalars or a mapping of scalars on one line."""
    if isinstance(v, list):
        return "[" + ", ".join(scalar(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {scalar(x)}" for k, x in v.items()) + "}"
    return scalar(v)


def block(d: dict, indent: str, out: list[str], flow_keys: frozenset = frozenset()) -> None:
    """A mapping in block style; nested mappings in block style unless their key is in flow_keys,
    lists of scalars in flow style, lists of mappings as block sequences."""
    for k, v in d.items():
        if isinstance(v, dict) and k not in flow_keys:
            out.append(f"{indent}{k}:\n")
            block(v, indent + "  ", out, flow_keys)
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            out.append(f"{indent}{k}:\n")
            for item in v:
                out.append(f"{indent}  -")
                sub: list[str] = []
                block(item, indent + "    ", sub, flow_keys)
                sub[0] = " " + sub[0].lstrip(" ")
                out.extend(sub)
        else:
            out.append(f"{indent}{k}: {flow(v)}\n")


def dump(doc: dict, flow_keys: frozenset = frozenset(), header: str = "") -> str:
    out: list[str] = [header] if header else []
    block(doc, "", out, flow_keys)
    return "".join(out)


def dump_list(items: list[dict], flow_keys: frozenset = frozenset(), header: str = "") -> str:
    out: list[str] = [header] if header else []
    for item in items:
        sub: list[str] = []
        block(item, "  ", sub, flow_keys)
        sub[0] = "- " + sub[0].lstrip(" ")
        out.extend(sub)
    return "".join(out)


class Zipf:
    """Draws from `items` with probability proportional to 1 / rank**s (rank 1 = items[0])."""

    def __init__(self, items: Sequence, s: float = 1.0):
        if not items:
            raise ValueError("Zipf over nothing")
        self.items = list(items)
        total, cum = 0.0, []
        for r in range(1, len(self.items) + 1):
            total += 1.0 / r ** s
            cum.append(total)
        self.cum, self.total = cum, total

    def draw(self, rng: random.Random):
        return self.items[bisect.bisect(self.cum, rng.random() * self.total)] \
            if len(self.items) > 1 else self.items[0]

    def draws(self, rng: random.Random, k: int) -> list:
        return rng.choices(self.items, cum_weights=self.cum, k=k)
