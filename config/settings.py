"""The one typed settings object, read once from the environment at the entry point.

Every variable is ``CUEWIRE_<FIELD>``; nested groups use ``__`` is not needed,
so each name below maps directly (``CUEWIRE_KAFKA_BOOTSTRAP``,
``CUEWIRE_TOPIC_TICKETS`` …). The Kafka and Redis client configurations are
derived by :mod:`config.kafka_clients`, with every safety-relevant librdkafka
setting written out.

A bad setting is refused before any server is contacted, in one line that
names it: values librdkafka would reject (security protocol, SASL mechanism, CA
file, bootstrap list), a Redis URL that is not one, a rules or taxonomy file
that does not load, and a ``CUEWIRE_KAFKA_*`` / ``CUEWIRE_REDIS_*`` name that is
not a setting (a typo would otherwise be ignored). Secrets are never shown:
:func:`mask_url` hides a URL's password whatever characters it holds. The checks
themselves are in :mod:`config.setting_checks`.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from config import kafka_clients, setting_checks
from config.kafka_clients import ClientConfig as ClientConfig
from config.setting_checks import REDIS_SCHEMES as REDIS_SCHEMES
from config.setting_checks import SASL_MECHANISMS, SECURITY_PROTOCOLS
from config.setting_checks import mask_url as mask_url
from contracts.errors import ConfigurationError

CHECKED_PREFIXES = ("CUEWIRE_KAFKA_", "CUEWIRE_REDIS_")
OTHER_NAMES = frozenset({"CUEWIRE_KAFKA_VERSION", "CUEWIRE_REDIS_SERVER"})
"""Variables with a checked prefix that are not settings of the flow: the Kafka version
``cuewire_dev.servers`` fetches, and the ``redis-server`` binary ``cuewire replay`` starts
(``state.private_redis``)."""
SHADOW_SUFFIX = ".shadow"
"""A shadow rules file's output topics are the live ones' siblings with this suffix."""
TopicKind = Literal["events", "tickets", "accounts", "feedback", "alerts", "digest", "dlq"]


class Settings(BaseSettings):
    """Everything an operator can set; defaults are the documented ones."""

    model_config = SettingsConfigDict(env_prefix="CUEWIRE_", extra="ignore")
    # Field validators below raise ValueError with words only, never the value: it may
    # be a secret.

    deployment: str = Field("default", description="names this deployment in CloudEvents `source`")

    # Kafka
    kafka_bootstrap: str = "localhost:9092"
    kafka_security_protocol: str | None = None
    kafka_sasl_mechanism: str | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_ca_location: str | None = None
    kafka_ssl_certificate_location: str | None = Field(
        None, description="client certificate (PEM) for brokers that authenticate clients by TLS")
    kafka_ssl_key_location: str | None = Field(None, description="the client certificate's private key (PEM)")
    kafka_ssl_key_password: SecretStr | None = None
    kafka_group_id: str | None = Field(
        None, description="consumer group the flow commits its read offsets to, for lag monitoring "
        "(default cuewire.<deployment>); resume uses Bytewax's recovery store, never these offsets")
    kafka_commit_offsets: bool = True
    kafka_start_from: Literal["earliest", "latest"] = "earliest"
    kafka_batch_size: int = Field(1000, ge=1, le=100_000)
    kafka_prefetch_kb: int = Field(
        8192, ge=256, le=1_048_576,
        description="read-ahead each input partition's consumer may hold, in KiB (librdkafka's "
        "queued.max.messages.kbytes, 64 MiB by default): a flow that lags its input holds at most "
        "this per partition instead of growing towards 64 MiB times the partitions",
    )
    kafka_gather_ms: int = Field(
        25, ge=0, le=1000,
        description="how long a live input partition rests after a batch short of full before "
        "it polls again, so records that trickle in are handled a batch at a time (less CPU a "
        "record, at most this much more latency)",
    )
    kafka_create_topics: bool = True
    kafka_partitions: int = Field(3, ge=1)
    kafka_replication: int = Field(1, ge=1)
    kafka_flush_timeout_seconds: float = Field(
        60, gt=0, le=3600,
        description="how long each epoch's flush waits for Kafka to acknowledge what was produced; "
        "then the flow stops with one line (exit 1) and the next start settles the rest",
    )

    topic_events: str = "cuewire.events"
    topic_tickets: str = "cuewire.tickets"
    topic_accounts: str = "cuewire.accounts"
    topic_feedback: str = "cuewire.feedback"
    topic_alerts: str = "cuewire.alerts"
    topic_digest: str = "cuewire.digest"
    topic_dlq: str = "cuewire.dlq"

    # Redis
    redis_url: SecretStr = SecretStr("redis://localhost:6379/0")
    redis_prefix: str = "cw:"
    allow_volatile_redis: bool = Field(
        False, description="run against a Redis without persistence (a throwaway run)"
    )
    redis_retry_seconds: float = Field(
        60, gt=0, description="how long the flow retries a Redis that does not answer before it stops"
    )

    # Behaviour
    rules: Path | None = None
    shadow_rules: Path | None = Field(
        None, description="a candidate rules file run beside the live one on the same records, in the "
        "same flow: its alerts go to <CUEWIRE_TOPIC_ALERTS>.shadow (its digest and dead letters to "
        "the .shadow siblings of theirs), never to cuewire.alerts or reviewers")
    taxonomy: Path | None = None
    max_record_bytes: int = Field(
        262_144, ge=1024, le=1_048_576,
        description="a bigger record is a dead letter; at most half the producer's 2 MiB "
        "message.max.bytes, so no alert or digest built from a record can outgrow it",
    )
    max_json_depth: int = Field(32, ge=4, le=512)
    date_window_years: float = Field(
        10, gt=0, le=100,
        description="a record dated further than this from now (either way) is a dead letter",
    )
    account_ttl_days: int = Field(180, ge=1)
    identity_ttl_days: int = Field(400, ge=1)
    ledger_ttl_days: int = Field(30, ge=3)
    metrics_port: int | None = None
    metrics_port_per_process: bool = Field(
        True, description="add the process id to CUEWIRE_METRICS_PORT, for -i/-a processes sharing a "
        "host; false where each process has its own address (a pod)")
    timer_lateness_seconds: float = Field(
        300, ge=0, description="how late a record may arrive and still stop an absence timer"
    )
    govern_lateness_seconds: float = Field(
        300, ge=0, le=86_400,
        description="replays and bounded runs: a candidate alert is governed once event time has "
        "passed it by this much, so an account's competing candidates are decided in event-time order",
    )
    govern_wait_ms: int = Field(
        3_000, ge=0, le=600_000,
        description="live input: the longest a candidate alert waits (wall clock) for competing ones "
        "that arrive a little late; 0 decides each on arrival",
    )
    order_wait_ms: int = Field(
        30, ge=0, le=60_000,
        description="live input: a partition the broker says has been read to its end counts as read "
        "up to this long before it was asked, so records produced this close together on different "
        "partitions are still handled in log order",
    )
    join_wait_ms: int = Field(
        2_000, ge=0, le=600_000,
        description="live input: how long a record may wait for an input partition that has unread "
        "records older than it (CRM snapshots, identity calls) before it is joined without them",
    )
    reattach_window_hours: float = Field(
        168, ge=0, le=24 * 366,
        description="how long (in event time) a ticket or event that reached no account waits for an "
        "identity link, contact or domain that reaches it (0: never re-resolved)",
    )

    @field_validator("kafka_bootstrap")
    @classmethod
    def _bootstrap_shape(cls, value: str) -> str:
        return setting_checks.bootstrap_list(value)

    @field_validator("kafka_security_protocol")
    @classmethod
    def _known_protocol(cls, value: str | None) -> str | None:
        return setting_checks.one_of(value, SECURITY_PROTOCOLS)

    @field_validator("kafka_sasl_mechanism")
    @classmethod
    def _known_mechanism(cls, value: str | None) -> str | None:
        return setting_checks.one_of(value, SASL_MECHANISMS)

    @field_validator("kafka_ssl_ca_location")
    @classmethod
    def _ca_exists(cls, value: str | None) -> str | None:
        return setting_checks.existing_path(value)

    @field_validator("redis_url")
    @classmethod
    def _redis_url_shape(cls, value: SecretStr) -> SecretStr:
        setting_checks.redis_url(value.get_secret_value())
        return value

    @field_validator("rules", "shadow_rules", "taxonomy")
    @classmethod
    def _file_loads(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        from config.rules import load_rules
        from config.taxonomy import load_taxonomy

        return setting_checks.loads_with(load_taxonomy if info.field_name == "taxonomy" else load_rules,
                                         value)

    @field_validator("redis_prefix")
    @classmethod
    def _prefix_shape(cls, value: str) -> str:
        if not value or " " in value:
            raise ValueError("CUEWIRE_REDIS_PREFIX must be non-empty and without spaces")
        return value

    def topic(self, kind: TopicKind) -> str:
        return str(getattr(self, f"topic_{kind}"))

    @property
    def input_topics(self) -> list[str]:
        return [self.topic_accounts, self.topic_events, self.topic_tickets]

    @property
    def output_topics(self) -> list[str]:
        return [self.topic_alerts, self.topic_digest, self.topic_dlq]

    def shadow_outputs(self) -> Settings:
        """These settings with the output topics of a shadow rules file's branch: each output
        topic's ``.shadow`` sibling (``cuewire.alerts.shadow`` …); inputs unchanged."""
        return self.model_copy(update={f"topic_{kind}": f"{self.topic(kind)}{SHADOW_SUFFIX}"
                                       for kind in ("alerts", "digest", "dlq")})

    def kafka_common(self) -> dict[str, str | int | float | bool]:
        return kafka_clients.kafka_common(self)

    def monitoring_group_id(self) -> str:
        """The consumer group the input partitions commit their positions to (monitoring only)."""
        return kafka_clients.monitoring_group_id(self)

    def kafka_admin(self) -> ClientConfig:
        return kafka_clients.kafka_admin(self)

    def kafka_source(self) -> ClientConfig:
        return kafka_clients.kafka_source(self)

    def kafka_consumer(self) -> ClientConfig:
        return kafka_clients.kafka_consumer(self)

    def kafka_producer(self) -> ClientConfig:
        return kafka_clients.kafka_producer(self)


def unknown_names(environ: dict[str, str] | os._Environ[str]) -> list[str]:
    """``CUEWIRE_KAFKA_*`` and ``CUEWIRE_REDIS_*`` variables that name no setting, each
    with the setting it was probably meant to be."""
    known = {f"CUEWIRE_{name.upper()}" for name in Settings.model_fields}
    problems = []
    for name in sorted(environ):
        upper = name.upper()
        if upper.startswith(CHECKED_PREFIXES) and upper not in known | OTHER_NAMES:
            close = difflib.get_close_matches(upper, sorted(known), n=1, cutoff=0.8)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.append(f"{name}: not a setting{hint}")
    return problems


def load_settings() -> Settings:
    """Read the environment once; any problem is one line naming the setting(s)."""
    from pydantic import ValidationError

    problems = unknown_names(os.environ)
    try:
        settings = Settings()
    except ValidationError as exc:
        problems += [
            f"CUEWIRE_{'_'.join(str(p) for p in err['loc']).upper()}: "
            + err["msg"].removeprefix("Value error, ")
            for err in exc.errors(include_input=False)
        ]
    if problems:
        raise ConfigurationError(f"invalid settings: {'; '.join(problems)}")
    return settings
