"""cuewire's one exception family, named by what to do about each error.

* :class:`PoisonRecord` — the record itself is bad: dead-letter it and go on.
* :class:`DependencyDown` — Kafka or Redis does not answer: retry, then exit non-zero.
* :class:`ConfigurationError` — a setting or rules file is wrong: refuse to start,
  naming the setting.

Messages carry coordinates (topic, partition, offset, ids), never ticket text.
Client-library exceptions are translated into these at the boundary.
"""

from __future__ import annotations


class CuewireError(Exception):
    """Base of every error cuewire raises on purpose."""


class PoisonRecord(CuewireError):
    """A record that can never be processed; it goes to the dead-letter topic."""


class DependencyDown(CuewireError):
    """A server the flow depends on (Kafka, Redis) is unreachable or refusing."""


class ConfigurationError(CuewireError):
    """A setting, rules file or taxonomy is invalid; the message names which."""
