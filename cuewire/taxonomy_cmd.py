"""``cuewire taxonomy check FILE``: validate a taxonomy and the examples the model learns from.

Errors (exit 2) name the file, the entry and the line: a file that does not
parse, an unknown key, a category or intent naming a topic that is not listed,
a labelled corpus line (``--corpus``) naming a topic or intent the taxonomy
lacks. Warnings (exit 0) say what would make the model weaker: a default topic
of the contract left out, a topic or intent with no examples anywhere, the
same example twice.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from contracts.errors import ConfigurationError

MIN_EXAMPLES = 5
"""Below this many labelled tickets (taxonomy examples and corpus together) a topic is thin."""


def check(file: Path, corpus: list[Path]) -> tuple[list[str], list[str]]:
    """(lines to print, warnings); ConfigurationError for anything that must be fixed."""
    from config.taxonomy import DEFAULT_INTENTS, DEFAULT_TOPICS, load_taxonomy
    from operators.corpus import load_tickets

    taxonomy = load_taxonomy(file)
    topics = set(taxonomy.topic_ids)
    intents = {i.id for i in taxonomy.intents}
    counts: Counter[str] = Counter()
    for topic in taxonomy.topics:
        counts[f"topic:{topic.id}"] += len(topic.examples)
    for intent in taxonomy.intents:
        counts[f"intent:{intent.id}"] += len(intent.examples)
    for path in corpus:
        for ticket in load_tickets(path):
            if ticket.topic and ticket.topic not in topics:
                raise ConfigurationError(f"{path}: ticket {ticket.id} has topic {ticket.topic!r}, "
                                         f"which {file} does not list")
            unknown = sorted(set(ticket.intents or ()) - intents)
            if unknown:
                raise ConfigurationError(f"{path}: ticket {ticket.id} has intents {unknown}, "
                                         f"which {file} does not list")
            if ticket.topic:
                counts[f"topic:{ticket.topic}"] += 1
            for name in ticket.intents or ():
                counts[f"intent:{name}"] += 1
    warnings = [f"default topic {t!r} is not listed" for t in DEFAULT_TOPICS if t not in topics]
    warnings += [f"default intent {i!r} is not listed" for i in DEFAULT_INTENTS if i not in intents]
    examples = [e.strip().casefold() for t in taxonomy.topics for e in t.examples]
    examples += [e.strip().casefold() for i in taxonomy.intents for e in i.examples]
    warnings += [f"an example appears {n} times" for n in Counter(examples).values() if n > 1]
    lines = []
    for key in [f"topic:{t}" for t in taxonomy.topic_ids] + [f"intent:{i.id}" for i in taxonomy.intents]:
        n = counts[key]
        if n < MIN_EXAMPLES:
            warnings.append(f"{key.replace(':', ' ')} has {n} labelled examples; add at least "
                            f"{MIN_EXAMPLES - n} more so the model can learn it")
        lines.append(f"  {key:<28} {n:>5} labelled examples")
    return lines, warnings


def taxonomy_check(
    file: Annotated[Path, typer.Argument(help="the taxonomy file (YAML) to validate")],
    corpus: Annotated[list[Path] | None, typer.Option(
        "--corpus", help="labelled JSON-lines files to check against it (repeatable); default: "
                         "the shipped training corpus when checking the shipped taxonomy")] = None,
) -> None:
    """Validate a taxonomy: its topics, intents and examples, and the corpus labels against it.

    Exit status 0 when the file is valid (warnings may follow the summary), 2 otherwise.
    """
    from config.taxonomy import DEFAULT_TAXONOMY
    from operators.learned_score import training_files

    if corpus is None:
        corpus = training_files() if file.resolve() == DEFAULT_TAXONOMY.resolve() else []
    try:
        lines, warnings = check(file, corpus)
    except ConfigurationError as exc:
        typer.secho(f"✗ {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    typer.secho(f"✓ {file}: valid" + (f", checked against {len(corpus)} corpus files"
                                      if corpus else ""), fg=typer.colors.GREEN)
    for line in lines:
        typer.echo(line)
    for warning in warnings:
        typer.secho(f"! {warning}", fg=typer.colors.YELLOW)
