"""Loading a YAML config file into its pydantic schema, with errors told as a person would
want them: the file, the entry (by its ``id`` when it has one), the field, the line, what
was wrong.

A key written twice in one mapping is refused: plain YAML loaders keep the second and
drop the first without a word, so a second ``examples:`` under an intent would silently
replace its first list (and teach the model the wrong tickets).
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from contracts.errors import ConfigurationError

M = TypeVar("M", bound=BaseModel)


class DuplicateKey(yaml.MarkedYAMLError):
    """A mapping names the same key twice."""


class _StrictLoader(yaml.SafeLoader):
    """``yaml.safe_load`` that raises :class:`DuplicateKey` instead of keeping the last value."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                break  # the parent's construct_mapping refuses it, with its line
            if key in seen:
                raise DuplicateKey(problem=f"key {key!r} is written twice in one entry",
                                   problem_mark=key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def at_line(exc: yaml.YAMLError) -> str:
    """`` line N`` where PyYAML marked the problem (1-based, as editors count), else ``""``."""
    mark = getattr(exc, "problem_mark", None)
    return f" line {mark.line + 1}" if mark is not None else ""


def strict_load(text: str) -> Any:
    """``yaml.safe_load`` that raises :class:`DuplicateKey` where a mapping repeats a key."""
    return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader: plain data only


def load_yaml_model(path: Path, model: type[M], what: str) -> M:
    """Read, parse and validate ``path`` as ``model``; any problem is a ConfigurationError."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"{what} {path}: cannot read ({exc.strerror})") from None
    try:
        raw = strict_load(text)
    except yaml.YAMLError as exc:
        where = at_line(exc)
        if isinstance(exc, DuplicateKey):
            # Not always a list: a repeated ``level:`` or ``within:`` is refused the same way.
            raise ConfigurationError(f"{what} {path}{where}: {exc.problem}; keep one of "
                                     "them") from None
        raise ConfigurationError(f"{what} {path}{where}: not valid YAML") from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ConfigurationError(f"{what} {path}: {describe_yaml_errors(exc, text, raw)}") from None


def describe_yaml_errors(exc: ValidationError, text: str, raw: Any, limit: int = 5) -> str:
    parts = []
    for err in exc.errors(include_input=False)[:limit]:
        loc = err["loc"]
        line = line_of(loc, text)
        named = _name_entries(loc, raw)
        parts.append(f"{named}{f' (line {line})' if line else ''}: {err['msg']}")
    more = len(exc.errors()) - limit
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def _name_entries(loc: tuple[int | str, ...], raw: Any) -> str:
    """``rules.1.when.count.within`` → ``rule 'upgrade-intent': when.count.within``."""
    node, prefix = raw, ""
    path: list[str] = []
    for part in loc:
        entry = node[part] if isinstance(node, list) and isinstance(part, int) and part < len(node) \
            else node.get(part) if isinstance(node, dict) else None
        if isinstance(part, int) and isinstance(entry, dict) and "id" in entry and path:
            prefix = f"{prefix}{_singular(path[-1])} {entry['id']!r}: "
            path = []
        else:
            path.append(str(part))
        node = entry
    return prefix + ".".join(path) if path else prefix.rstrip(": ")


def _singular(plural: str) -> str:
    if plural.endswith("ies"):
        return plural[:-3] + "y"
    return plural[:-1] if plural.endswith("s") else plural


def line_of(loc: tuple[int | str, ...], text: str) -> int | None:
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
