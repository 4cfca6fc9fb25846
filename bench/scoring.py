"""Ticket-scoring throughput on one core: ``python -m bench.scoring`` (part of ``make bench``).

Scores the support-style tickets of ``tests/data/support_tickets.jsonl``
(drawn at random to ``--tickets``; then again with three tickets glued into
one longer e-mail) with the shipped day-one model:

* **score only** — ``LearnedScorer.score(text)``: features, frustration
  probability, calibrated score, signal and topic, top phrases;
* **score + learn** — one prequential step per ticket,
  ``assess_then_learn(text, {"frustrated", "signal"})``, from a fresh model
  each run;
* **start-up** — training the start-up model from the corpus (once per changed
  corpus or taxonomy), loading it from the cache (every other start), and
  loading a checkpoint of reviewers' lessons.

A third input, the shipped dev corpus's tickets (written as customers write,
in four languages), shows the cost on realistic lengths.

Each measure is run ``--repeats`` times; the median is reported with every
run. The process is pinned to one CPU and numpy to one thread, so the figures
are per core; on a shared machine the rate per second of the process's own
CPU time says what a core costs when others are busy on it. Results:
``bench/results/scoring.json``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

# Per core means per core: the runtime package keeps numpy's BLAS from starting threads, as
# long as it is imported before numpy is.
import cuewire  # noqa: F401
from config.taxonomy import load_taxonomy
from operators.corpus import DEV, load_tickets
from operators.learned_score import (
    LearnedScorer,
    state_from_json,
    state_to_json,
    training_files,
)
from state.model_cache import startup_scorer

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
TICKETS = ROOT / "tests" / "data" / "support_tickets.jsonl"
console = Console()


def _pin_to_one_cpu() -> int | None:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return cpu
    except (AttributeError, OSError):  # not Linux: measure unpinned
        return None


def _tickets(n: int, seed: int = 7, join: int = 1) -> list[dict[str, Any]]:
    """``n`` support tickets, shuffled; ``join > 1`` glues that many into one longer e-mail."""
    rows = [orjson.loads(line) for line in TICKETS.read_bytes().splitlines() if line.strip()]
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = [rows[rng.randrange(len(rows))] for _ in range(join)]
        out.append({"text": "\n".join(str(p["text"]) for p in parts),
                    "frustrated": any(p["frustrated"] for p in parts),
                    "signal": parts[0].get("signal")})
    return out


def _throughput(taxonomy: Any, tickets: list[dict[str, Any]], repeats: int,
                label: str) -> dict[str, Any]:
    texts = [t["text"] for t in tickets]
    labels = [{"frustrated": t["frustrated"], "signal": t.get("signal")} for t in tickets]
    scorer = LearnedScorer.seeded(taxonomy)
    for text in texts[:1000]:  # warm the token cache, as a running flow's is
        scorer.score(text)
    score_only: list[float] = []
    score_cpu: list[float] = []  # per second of this process's CPU time: what a core costs
    for run in range(repeats):
        started, cpu = time.perf_counter(), time.process_time()
        for text in texts:
            scorer.score(text)
        score_only.append(len(texts) / (time.perf_counter() - started))
        score_cpu.append(len(texts) / max(time.process_time() - cpu, 1e-9))
        console.print(f"  {label}: score only     run {run + 1}: {score_only[-1]:9,.0f} tickets/s "
                      f"({score_cpu[-1]:,.0f} per CPU-second)")
    with_learning: list[float] = []
    for run in range(repeats):
        learner = LearnedScorer.seeded(taxonomy)
        for text in texts[:1000]:
            learner.representer.represent(text)
        started = time.perf_counter()
        for text, labelled in zip(texts, labels, strict=True):
            learner.assess_then_learn(text, labelled)
        with_learning.append(len(texts) / (time.perf_counter() - started))
        console.print(f"  {label}: score + learn  run {run + 1}: {with_learning[-1]:9,.0f} "
                      "tickets/s")
    return {
        "tickets": len(texts),
        "mean_words_per_ticket": round(statistics.mean(len(t.split()) for t in texts), 1),
        "score_only_per_s": {"median": round(statistics.median(score_only)),
                             "runs": [round(x) for x in score_only]},
        "score_only_per_cpu_s": {"median": round(statistics.median(score_cpu)),
                                 "runs": [round(x) for x in score_cpu]},
        "score_and_learn_per_s": {"median": round(statistics.median(with_learning)),
                                  "runs": [round(x) for x in with_learning]},
    }


def _corpus_tickets(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` tickets of the shipped dev corpus (written as customers write: longer, four languages)."""
    rows = load_tickets(DEV)
    rng = random.Random(seed)
    picked = [rows[rng.randrange(len(rows))] for _ in range(n)]
    return [{"text": t.text, "frustrated": bool(t.frustrated), "signal": t.signal} for t in picked]


def measure(n_tickets: int, repeats: int) -> dict[str, Any]:
    taxonomy = load_taxonomy()
    examples = [t for p in training_files() for t in load_tickets(p)]
    train_s: list[float] = []
    for _ in range(max(1, repeats // 2)):
        started = time.perf_counter()
        LearnedScorer.seeded(taxonomy, examples)  # from scratch: what a changed corpus costs once
        train_s.append(time.perf_counter() - started)
    cached_s: list[float] = []
    for _ in range(repeats):
        started = time.perf_counter()
        scorer = startup_scorer(taxonomy)  # what every later start-up costs
        cached_s.append(time.perf_counter() - started)
    for text in (t.text for t in examples[:100]):
        scorer.learn(text, {"frustrated": True})
    blob = state_to_json(scorer.to_state())
    load_s: list[float] = []
    for _ in range(repeats):
        started = time.perf_counter()
        LearnedScorer.from_state(taxonomy, state_from_json(blob), base=scorer)
        load_s.append(time.perf_counter() - started)
    return {
        "support_tickets": _throughput(taxonomy, _tickets(n_tickets), repeats, "tickets"),
        "three_ticket_emails": _throughput(taxonomy, _tickets(n_tickets // 2, join=3), repeats,
                                           "3-ticket e-mails"),
        "corpus_tickets": _throughput(taxonomy, _corpus_tickets(n_tickets // 2), repeats,
                                      "corpus tickets"),
        "repeats": repeats,
        "train_from_corpus_s": round(statistics.median(train_s), 3),
        "training_examples": len(examples),
        "cached_start_up_s": round(statistics.median(cached_s), 4),
        "checkpoint_after_100_lessons_bytes": len(blob),
        "checkpoint_load_s": round(statistics.median(load_s), 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scoring",
                                     description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULTS / "scoring.json")
    args = parser.parse_args(argv)
    cpu = _pin_to_one_cpu()
    load = os.getloadavg()
    machine = {"cpus": os.cpu_count(), "pinned_to_cpu": cpu, "python": sys.version.split()[0],
               "loadavg_at_start": load,
               "at": datetime.now(UTC).isoformat(timespec="seconds")}
    result = measure(args.tickets, args.repeats) | {"machine": machine}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))

    table = Table(title="Ticket scoring, one core (medians)")
    table.add_column("measure")
    table.add_column("median", justify="right")
    table.add_column("runs", justify="right")
    for kind, what in (("support_tickets", "tickets"), ("three_ticket_emails", "3-ticket e-mails"),
                       ("corpus_tickets", "corpus tickets")):
        measured = result[kind]
        for key, label in (("score_only_per_s", "score only"),
                           ("score_only_per_cpu_s", "score only, per CPU-second"),
                           ("score_and_learn_per_s", "score + learn")):
            table.add_row(f"{label}, {what} of {measured['mean_words_per_ticket']} words (/s)",
                          f"{measured[key]['median']:,}",
                          ", ".join(f"{x:,}" for x in measured[key]["runs"]))
    table.add_row(f"train the start-up model on {result['training_examples']:,} tickets (s)",
                  f"{result['train_from_corpus_s']:.2f}", "")
    table.add_row("start up from the cached model (s)", f"{result['cached_start_up_s']:.3f}", "")
    table.add_row("load a checkpoint of 100 lessons (s)", f"{result['checkpoint_load_s']:.3f}",
                  f"{result['checkpoint_after_100_lessons_bytes']:,} bytes")
    console.print(table)
    console.print(f"load average at start {load[0]:.2f}; results in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
