"""Schema and loader of the ticket taxonomy file (``config/taxonomy.yaml`` by default).

Besides phrases, a category or intent may carry ``patterns`` (a word from one
list near a word from another, for language a phrase list cannot enumerate:
"<a data word> … <a disappearing word>") and ``weights`` (how strongly one
phrase speaks for its category; 1.0 when not listed). The ``bands`` say where
tickets of each risk level land on the 0–100 scale once the learned scorer has
decided how likely they are to be frustrated; ``none`` is the band of a ticket
that matches no category.

**Topics and intents are learned from examples.** ``topics`` lists what a ticket
can be about (the default vocabulary is CONTRACTS.md's; a product may add
topics), each with example tickets and optional hint phrases; intents carry
examples too. The ticket model learns them at start-up together with the
labelled corpus, so a CS lead adapts the product by adding examples, not
patterns. ``cuewire taxonomy check FILE`` validates a changed file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

from config.yaml_errors import load_yaml_model

RiskLevel = Literal["critical", "high", "medium-high", "low-medium"]
BandName = Literal["critical", "high", "medium-high", "low-medium", "none"]
DEFAULT_TAXONOMY = Path(__file__).with_name("taxonomy.yaml")
DEFAULT_TOPICS = ("integration", "data_integrity", "export", "billing", "performance",
                  "login_access", "ui_bug", "how_to", "plan_seats", "api", "cancellation", "other")
"""CONTRACTS.md's default topic vocabulary ("Ticket understanding")."""
DEFAULT_INTENTS = ("cancellation", "full_export", "api_question", "upgrade_question",
                   "billing_dispute", "feature_request")

DEFAULT_BANDS: dict[BandName, tuple[int, int]] = {
    "critical": (80, 100),
    "high": (65, 79),
    "medium-high": (50, 64),
    "low-medium": (35, 49),
    "none": (50, 79),
}
"""DESIGN.md's thresholds (80 alerts whatever the MRR, 65 with MRR, 50 near renewal) as bands."""


def _one_word(word: str) -> str:
    core = word[:-1] if word.endswith("*") else word
    if not core or any(ch.isspace() or ch == "*" for ch in core):
        raise ValueError(f"{word!r} must be one word, optionally ending in * (a prefix)")
    # Apostrophes are dropped on both sides of a match, so "don't" and "dont" are one word.
    return word.lower().replace("'", "").replace("’", "")


Word = Annotated[str, AfterValidator(_one_word)]
Weight = Annotated[float, Field(gt=0, le=5)]


class Pattern(BaseModel):
    """A word from ``words`` at most ``within`` words from a word in ``near``, in one sentence.

    A word ending in ``*`` matches any word it begins (``corrupt*``: corrupted, corruption).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    words: list[Word] = Field(min_length=1)
    near: list[Word] = Field(min_length=1)
    within: int = Field(5, ge=1, le=20)
    weight: Weight = 1.0


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    level: RiskLevel
    signal: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    topic: str
    phrases: list[str] = Field(min_length=1)
    patterns: list[Pattern] = Field(default_factory=list)
    weights: dict[str, Weight] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _weights_name_phrases(self) -> Category:
        unknown = sorted(set(self.weights) - set(self.phrases))
        if unknown:
            raise ValueError(f"weights names {unknown}, which are not among this category's "
                             "phrases")
        return self

    def weight_of(self, phrase: str) -> float:
        return self.weights.get(phrase, 1.0)


Example = Annotated[str, Field(min_length=8, max_length=4000)]


class Topic(BaseModel):
    """What a ticket can be mainly about, taught by example tickets (and optional hint phrases)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = ""
    examples: list[Example] = Field(default_factory=list)
    hints: list[str] = Field(default_factory=list)


class Intent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    signal: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    topic: str | None = None
    description: str = ""
    phrases: list[str] = Field(default_factory=list)
    """Hint phrases: evidence the model weighs, not a gate."""
    patterns: list[Pattern] = Field(default_factory=list)
    examples: list[Example] = Field(default_factory=list)


def _default_topics() -> list[Topic]:
    return [Topic(id=t) for t in DEFAULT_TOPICS]


class Taxonomy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1]
    levels: dict[RiskLevel, int]
    bands: dict[BandName, tuple[int, int]] = Field(default_factory=lambda: dict(DEFAULT_BANDS))
    categories: list[Category]
    topics: list[Topic] = Field(default_factory=_default_topics)
    intents: list[Intent] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Taxonomy:
        for level, score in self.levels.items():
            if not 0 <= score <= 100:
                raise ValueError(f"levels.{level} must be within 0..100, not {score}")
        missing = {c.level for c in self.categories} - set(self.levels)
        if missing:
            raise ValueError(f"levels has no score for {sorted(missing)}")
        for name, (low, high) in self.bands.items():
            if not 0 <= low <= high <= 100:
                raise ValueError(f"bands.{name} must be [low, high] with 0 ≤ low ≤ high ≤ 100, "
                                 f"not [{low}, {high}]")
        for level, score in self.levels.items():
            low, high = self.band(level)
            if not low <= score <= high:
                raise ValueError(f"levels.{level} is {score}, outside its band [{low}, {high}]")
        ids = [c.id for c in self.categories] + [i.id for i in self.intents]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ValueError(f"ids used twice: {sorted(dupes)}")
        topic_ids = [t.id for t in self.topics]
        dupes = {i for i in topic_ids if topic_ids.count(i) > 1}
        if dupes:
            raise ValueError(f"topics listed twice: {sorted(dupes)}")
        for owner, topic in [*((f"category {c.id}", c.topic) for c in self.categories),
                             *((f"intent {i.id}", i.topic) for i in self.intents)]:
            if topic is not None and topic not in topic_ids:
                raise ValueError(f"{owner} names topic {topic!r}, which is not among topics "
                                 f"({', '.join(topic_ids)})")
        return self

    @property
    def topic_ids(self) -> list[str]:
        return [t.id for t in self.topics]

    def band(self, level: BandName) -> tuple[int, int]:
        """The band of a risk level (``none``: no category matched); defaults fill gaps."""
        return self.bands.get(level, DEFAULT_BANDS[level])


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Load and validate a taxonomy file; errors name the file, the entry and the line."""
    return load_yaml_model(path or DEFAULT_TAXONOMY, Taxonomy, "taxonomy")
