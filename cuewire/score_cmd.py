"""``cuewire score``: score ticket texts from a file or stdin with the current model, for tuning.

Input: one ticket text per line, or JSON lines with a ``text`` field (an
``id`` field, if present, is echoed back). Output: one JSON line per text with
``score``, ``signal``, ``topic``, ``confidence`` (how sure the frustration
reading is: the larger of P(frustrated) and its complement), ``phrases`` (the
top contributing phrases), ``risk``, ``intents`` and which ``model`` scored it;
``--explain`` adds ``evidence``: the words that drove each head, the sentence
that weighed most, the nearest labelled examples and each head's confidence
(the topic's is its probability, often far below the frustration's).

The model is the newest checkpoint in Redis when ``CUEWIRE_REDIS_URL`` is set
and a checkpoint exists, otherwise the model trained at start-up; ``--seed-model``
forces the latter. Nothing is learned and nothing is written to Redis.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Annotated, Any

import orjson
import typer

from contracts.errors import ConfigurationError, CuewireError, DependencyDown


def score_command(
    file: Annotated[Path | None, typer.Argument(
        exists=True, dir_okay=False, readable=True,
        help="ticket texts, one per line or JSON lines with a \"text\" field; stdin when omitted",
    )] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o",
                                             help="write here instead of stdout")] = None,
    taxonomy: Annotated[Path | None, typer.Option(
        help="taxonomy file (default: CUEWIRE_TAXONOMY, else the shipped one)")] = None,
    seed_model: Annotated[bool, typer.Option(
        "--seed-model", help="use the shipped seed model even when Redis has a checkpoint")] = False,
    explain: Annotated[bool, typer.Option(
        "--explain", help="add the evidence: the words that drove each head, the key sentence, "
                          "the nearest labelled examples and each head's confidence")] = False,
) -> None:
    """Score ticket texts with the current model and print one JSON line per text."""
    try:
        scorer, model = _load_scorer(taxonomy, use_redis=not seed_model)
        source = file.open("rb") if file is not None else sys.stdin.buffer
        sink = out.open("wb") if out is not None else sys.stdout.buffer
        try:
            _score_stream(scorer, model, source, sink, explain=explain)
        finally:
            if file is not None:
                source.close()
            if out is not None:
                sink.close()
            else:
                sys.stdout.flush()
    except CuewireError as exc:
        kind = "configuration error" if isinstance(exc, ConfigurationError) else (
            "dependency down" if isinstance(exc, DependencyDown) else "error")
        typer.secho(f"cuewire: {kind}: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2 if isinstance(exc, ConfigurationError) else 1) from None


def _load_scorer(taxonomy_path: Path | None, *, use_redis: bool) -> tuple[Any, str]:
    from config.settings import load_settings
    from config.taxonomy import load_taxonomy
    from operators.learned_score import LearnedScorer
    from state.model_cache import startup_scorer

    settings = load_settings()
    taxonomy = load_taxonomy(taxonomy_path or settings.taxonomy)
    scorer = startup_scorer(taxonomy)
    if not use_redis or not os.environ.get("CUEWIRE_REDIS_URL"):
        return scorer, "seed"
    from state.model_store import ModelStore
    from state.redis_client import connect

    client = connect(settings.redis_url.get_secret_value(), allow_volatile=True)
    checkpoint = ModelStore(client, settings.redis_prefix).load()
    if checkpoint is None:
        return scorer, "seed"
    loaded = LearnedScorer.from_state(taxonomy, checkpoint.state, base=scorer)
    loaded.checkpoint_version = checkpoint.version
    return loaded, f"redis:v{checkpoint.version}"


def read_tickets(lines: Iterable[bytes]) -> Iterator[tuple[int, Any, str]]:
    """(line number, id or None, text) for each non-empty line; JSON lines need a ``text``."""
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith(b"{"):
            try:
                doc = orjson.loads(line)
            except orjson.JSONDecodeError:
                raise ConfigurationError(f"line {number}: starts with '{{' but is not valid "
                                         "JSON") from None
            text = doc.get("text") if isinstance(doc, dict) else None
            if not isinstance(text, str):
                raise ConfigurationError(f"line {number}: a JSON line needs a string \"text\" "
                                         "field")
            yield number, doc.get("id"), text
        else:
            yield number, None, line.decode("utf-8", errors="replace")


def _score_stream(scorer: Any, model: str, source: IO[bytes], sink: IO[bytes], *,
                  explain: bool = False) -> None:
    for number, ticket_id, text in read_tickets(source):
        result = scorer.score(text)
        row: dict[str, Any] = {"line": number}
        if ticket_id is not None:
            row["id"] = ticket_id
        row |= {"score": result.score, "signal": result.signal, "topic": result.topic,
                "confidence": result.confidence, "phrases": list(result.phrases),
                "risk": result.risk, "intents": list(result.intents), "model": model}
        if explain and result.evidence is not None:
            row["evidence"] = result.evidence.to_json()
        sink.write(orjson.dumps(row) + b"\n")
