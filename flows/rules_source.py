"""The rules in force, re-read when the rules file changes: no restart needed.

The file is checked at most every few seconds (its modification time and size);
a changed file that fails validation is reported and ignored, and the flow
keeps the last good rules rather than stopping or running without any.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

from config.rules import DEFAULT_RULES, Rule, RulesFile, load_rules
from contracts.errors import ConfigurationError
from operators.gate import RULE_ID, FrustrationGate
from operators.signals import SignalTable
from operators.variants import arms


@dataclass(frozen=True, slots=True)
class ActiveRules:
    """One loaded rules file, indexed for the hot path."""

    file: RulesFile
    table: SignalTable
    by_signal: dict[str, tuple[Rule, ...]]
    by_id: dict[str, Rule]
    gate: FrustrationGate | None
    """Rule 1's thresholds, or None when the file disables it."""
    windowed: frozenset[str]
    """Signal names some rule reads: only these are kept in windows."""

    @staticmethod
    def of(file: RulesFile) -> ActiveRules:
        enabled = [arm for r in file.rules if r.enabled for arm in arms(r)]  # A/B variants: one rule each
        by_signal: dict[str, list[Rule]] = {}
        for rule in enabled:
            if rule.when.ticket_gate is not None:
                continue
            for name in rule.when.signals():
                by_signal.setdefault(name, []).append(rule)
        gate_rule = next((r for r in enabled if r.id == RULE_ID and r.when.ticket_gate), None)
        gate = gate_rule.when.ticket_gate if gate_rule else None
        return ActiveRules(
            file, SignalTable.from_rules(file), {k: tuple(v) for k, v in by_signal.items()},
            {r.id: r for r in enabled}, gate, frozenset(by_signal),
        )


class RulesSource:
    def __init__(self, path: Path | None, check_every_s: float = 5.0) -> None:
        self.path = path or DEFAULT_RULES
        self._check_every = check_every_s
        self._stamp = self._file_stamp()
        self._active = ActiveRules.of(load_rules(self.path))  # a bad file at start-up refuses to start
        self._checked = time.monotonic()
        self.reloads = 0

    def _file_stamp(self) -> tuple[float, int]:
        try:
            st = self.path.stat()
        except OSError:
            return (0.0, -1)
        return (st.st_mtime, st.st_size)

    def current(self) -> ActiveRules:
        now = time.monotonic()
        if now - self._checked >= self._check_every:
            self._checked = now
            stamp = self._file_stamp()
            if stamp != self._stamp:
                self._stamp = stamp
                try:
                    self._active = ActiveRules.of(load_rules(self.path))
                    self.reloads += 1
                    print(f"cuewire: reloaded rules from {self.path}", file=sys.stderr)
                except ConfigurationError as exc:
                    print(f"cuewire: kept the previous rules; {exc}", file=sys.stderr)
        return self._active
