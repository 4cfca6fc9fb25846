"""Schema and loader of the ticket taxonomy file (``config/taxonomy.yaml`` by default)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from contracts.errors import ConfigurationError

RiskLevel = Literal["critical", "high", "medium-high", "low-medium"]
DEFAULT_TAXONOMY = Path(__file__).with_name("taxonomy.yaml")


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    level: RiskLevel
    signal: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    topic: str
    phrases: list[str] = Field(min_length=1)


class Intent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    signal: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    phrases: list[str] = Field(min_length=1)


class Taxonomy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1]
    levels: dict[RiskLevel, int]
    categories: list[Category]
    intents: list[Intent] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Taxonomy:
        for level, score in self.levels.items():
            if not 0 <= score <= 100:
                raise ValueError(f"levels.{level} must be within 0..100, not {score}")
        missing = {c.level for c in self.categories} - set(self.levels)
        if missing:
            raise ValueError(f"levels has no score for {sorted(missing)}")
        ids = [c.id for c in self.categories] + [i.id for i in self.intents]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ValueError(f"ids used twice: {sorted(dupes)}")
        return self


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Load and validate a taxonomy file; errors name the file, the entry and the line."""
    path = path or DEFAULT_TAXONOMY
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"taxonomy {path}: cannot read ({exc.strerror})") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigurationError(f"taxonomy {path}{where}: not valid YAML") from None
    try:
        return Taxonomy.model_validate(raw)
    except ValidationError as exc:
        raise ConfigurationError(f"taxonomy {path}: {_describe(exc, text)}") from None


def _describe(exc: ValidationError, text: str) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        line = _line_of(err["loc"], text)
        parts.append(f"{loc}{f' (line {line})' if line else ''}: {err['msg']}")
    return "; ".join(parts)


def _line_of(loc: tuple[int | str, ...], text: str) -> int | None:
    """Best-effort line number of a YAML location, found by walking the composed node tree."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    found = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            match = node.value[part]
        else:
            match = None
        if match is None:
            break
        node = match
        found = node.start_mark.line + 1
    return found
