"""Labelled tickets: the corpus the ticket model learns from at start-up, and how to read it.

One JSON object per line, as ``config/corpus/LABELLING.md`` describes
(``subject``, ``body``, ``frustration`` 0–100, ``frustrated``, ``signal``,
``topic``, ``intents``, ``problem``, ``lang``, ``tone``). A short form is
accepted too, for a taxonomy's own examples and older seed files: ``text``
instead of subject and body, and any label left out (it then teaches
nothing). Errors name the file and the line, never the text.

>>> t = parse_ticket({"text": "Where do I find my invoices?", "topic": "billing"}, "x", 1)
>>> (t.topic, t.frustrated, t.intents)
('billing', None, None)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from contracts.errors import ConfigurationError

CORPUS_DIR = Path(__file__).resolve().parents[1] / "config" / "corpus"
TRAIN = CORPUS_DIR / "train.jsonl"
TRAIN2 = CORPUS_DIR / "train2.jsonl"
"""Training tickets by other writers, in another voice: what generalises is learned from both."""
TRAIN3 = CORPUS_DIR / "train3.jsonl"
"""More training tickets where the model was weakest: Spanish, French and German, topics it
confused, euphemistic cancellations and full exports beside their look-alikes, and frustration
around the gate's boundary."""
TRAIN4 = CORPUS_DIR / "train4.jsonl"
"""Training tickets for what the model still over- or under-calls: topic ``other`` beside plain
how-to questions, cancellation look-alikes that are not leaving beside fresh cancellations, and
irritation just below the gate at 65 beside clear escalation above it."""
DEV = CORPUS_DIR / "dev.jsonl"
TRAINING_FILES = "train*.jsonl"
"""The corpus folder's training files: a new ``train5.jsonl`` is learned from without code."""


def training_corpus(folder: Path = CORPUS_DIR) -> list[Path]:
    """The folder's training files in the order of their numbers (train, train2, … train10).

    The order is the order the model learns them in, so it must not depend on how a file
    system lists a folder.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     for name in ("train10.jsonl", "train2.jsonl", "train.jsonl", "dev.jsonl", "train-x.txt"):
    ...         _ = (Path(d) / name).write_text("")
    ...     [p.name for p in training_corpus(Path(d))]
    ['train.jsonl', 'train2.jsonl', 'train10.jsonl']
    """
    def number(path: Path) -> tuple[int, str]:
        digits = path.stem.removeprefix("train")
        if not digits:
            return 1, path.name  # train.jsonl is the first
        if not digits.isdigit():
            return 1 << 30, path.name  # train_extra.jsonl and the like: after every number
        return int(digits), path.name
    return sorted(folder.glob(TRAINING_FILES), key=number)


@dataclass(frozen=True, slots=True)
class LabelledTicket:
    """One labelled ticket; ``None`` labels are unknown (not "none")."""

    id: str
    text: str
    frustration: int | None
    frustrated: bool | None
    signal: str | None
    signal_known: bool
    topic: str | None
    intents: tuple[str, ...] | None
    problem: str | None = None
    lang: str | None = None
    tone: str | None = None


def ticket_text(subject: str, body: str) -> str:
    """Subject and body as the flow's scorer reads them (``operators.records.Ticket.text``)."""
    if subject and body and not body.startswith(subject):
        return f"{subject}\n{body}"
    return body or subject


def _optional_str(row: Mapping[str, Any], name: str) -> str | None:
    value = row.get(name)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{name} must be a string or null")
    return value


def parse_ticket(row: Mapping[str, Any], source: str, number: int) -> LabelledTicket:
    """One labelled ticket from a parsed JSON line; ValueError says which field is wrong."""
    if "text" in row:
        text = row["text"]
    else:
        subject, body = row.get("subject") or "", row.get("body") or ""
        if not isinstance(subject, str) or not isinstance(body, str):
            raise ValueError("subject and body must be strings")
        text = ticket_text(subject.strip(), body.strip())
    if not isinstance(text, str) or not text.strip():
        raise ValueError("the ticket has no text (text, or subject and body)")
    frustration = row.get("frustration")
    if frustration is not None and (not isinstance(frustration, int) or isinstance(frustration, bool)
                                    or not 0 <= frustration <= 100):
        raise ValueError("frustration must be a whole number 0–100")
    frustrated = row.get("frustrated")
    if frustrated is not None and not isinstance(frustrated, bool):
        raise ValueError("frustrated must be true or false")
    if frustrated is None and frustration is not None:
        frustrated = frustration >= 50
    if frustration is not None and frustrated != (frustration >= 50):
        raise ValueError("frustrated must be true exactly when frustration ≥ 50")
    intents = row.get("intents")
    if intents is not None and (not isinstance(intents, list)
                                or not all(isinstance(i, str) for i in intents)):
        raise ValueError("intents must be a list of names")
    return LabelledTicket(
        id=str(row.get("id") or f"{source}:{number}"), text=text, frustration=frustration,
        frustrated=frustrated, signal=_optional_str(row, "signal"), signal_known="signal" in row,
        topic=_optional_str(row, "topic"), intents=tuple(intents) if intents is not None else None,
        problem=_optional_str(row, "problem"), lang=_optional_str(row, "lang"),
        tone=_optional_str(row, "tone"),
    )


def load_tickets(path: Path) -> list[LabelledTicket]:
    """Every labelled ticket of a JSON-lines file; ConfigurationError names file and line."""
    try:
        lines = path.read_bytes().splitlines()
    except OSError as exc:
        raise ConfigurationError(f"labelled tickets {path}: cannot read ({exc.strerror})") from None
    out: list[LabelledTicket] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = orjson.loads(line)
            if not isinstance(row, dict):
                raise ValueError("a line must be a JSON object")
            out.append(parse_ticket(row, path.name, number))
        except (orjson.JSONDecodeError, ValueError) as exc:
            raise ConfigurationError(f"labelled tickets {path} line {number}: {exc}") from None
    return out


def load_many(paths: Iterable[Path]) -> list[LabelledTicket]:
    return [t for p in paths for t in load_tickets(p)]
