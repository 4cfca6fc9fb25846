"""Every Redis key cuewire writes: its shape and its TTL, in one place.

Key prefixes are schema: changing one strands existing state, so it needs a
migration. Personal data (e-mail addresses) is hashed before it becomes part of
a key, and ticket text never does. Every key has a TTL so state stays bounded
however long the flow runs.

>>> ks = Keyspace("cw:")
>>> ks.lookup(("account", "acct_42"))
'cw:acct:acct_42'
>>> ks.lookup(("email", "dana@acme.io")).startswith("cw:id:email:")
True
>>> ks.table(("account", "acct_42"))
'cw:tbl:acct:acct_42'
>>> ks.model_head("scorer"), ks.model_checkpoint("scorer", 7), ks.alert_text("a-1")
('cw:model:scorer:head', 'cw:model:scorer:v:7', 'cw:alert-text:a-1')
>>> ks.shadow().window("acct_42", "upgrade_intent"), ks.shadow().governance_cooldown("acct_42", "r")
('cw:shadow:win:acct_42:upgrade_intent', 'cw:shadow:gov:cool:acct_42:r')
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

DAY = 86_400

# Logical lookup kinds (see operators.resolve) and their key segment.
_LOOKUP_SEGMENTS = {
    "account": "acct:",
    "user": "id:user:",
    "user_email": "id:user-email:",
    "email": "id:email:",
    "org": "id:org:",
    "domain": "id:domain:",
}
_HASHED = frozenset({"email"})
SHADOW_SEGMENT = "shadow:"


@dataclass(frozen=True, slots=True)
class TTLs:
    """Seconds each kind of key lives after its last write."""

    account: int = 180 * DAY
    identity: int = 400 * DAY
    alert_pending: int = 600
    alert_sent: int = 30 * DAY
    # Governance (state/governance.py). Cooldown history lives as long as the
    # ledger, so a restart that re-reads history finds what silenced each alert.
    governance_cooldown: int = 30 * DAY
    governance_day: int = 8 * DAY
    governance_tickets: int = 30 * DAY
    governance_log: int = 90 * DAY
    governance_deferred: int = 14 * DAY
    governance_alert: int = 30 * DAY
    """Which account and rule a published alert was for: a snooze naming only the alert finds them."""
    governance_snooze: int = 30 * DAY
    """The least a snooze is kept, however short its span: input read behind the reviewers
    still finds it (:mod:`operators.snooze_expiry`)."""
    window_slack: int = 2 * DAY
    """Windows live this long past the longest rule window, so late records still find them."""
    timers: int = 60 * DAY
    # Weekly digest (state/weekly.py): an owner-week's near misses live past the week's
    # end long enough to be published; the published marker outlives them, so a late
    # near miss cannot re-open a week that went out.
    weekly_digest: int = 21 * DAY
    weekly_digest_sent: int = 35 * DAY

    # The learned scorer (state/model_store.py).
    model_checkpoint: int = 400 * DAY
    """The newest checkpoint, and the head: as long as identities."""
    model_superseded: int = 120
    """Grace for a reader that resolved the previous head a moment ago."""
    alert_text: int = 30 * DAY
    """Feedback on an alert older than this teaches nothing."""

    def for_lookup(self, kind: str) -> int:
        return self.account if kind == "account" else self.identity


def _digest(value: str) -> str:
    return hashlib.blake2b(value.encode("utf-8"), digest_size=12).hexdigest()


class Keyspace:
    """Builds every key from one prefix, so tests and deployments can share a server."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def shadow(self) -> Keyspace:
        """The keys of a shadow rules file's branch (``flows/stages/shadow.py``): its windows,
        timers, governance, weekly digests and ledger under ``<prefix>shadow:``, so none of
        them is ever a live key (no live segment starts with ``shadow:``)."""
        return Keyspace(f"{self.prefix}{SHADOW_SEGMENT}")

    def lookup(self, key: tuple[str, str]) -> str:
        kind, value = key
        segment = _LOOKUP_SEGMENTS[kind]
        return f"{self.prefix}{segment}{_digest(value) if kind in _HASHED else value}"

    def table(self, key: tuple[str, str]) -> str:
        """A lookup's versioned history (``operators/versions.py``): ``tbl:`` then the
        lookup's own segment, e.g. ``cw:tbl:acct:acct_42``."""
        return f"{self.prefix}tbl:{self.lookup(key).removeprefix(self.prefix)}"

    def alert(self, alert_id: str) -> str:
        return f"{self.prefix}alert:{alert_id}"

    def alert_outbox(self) -> str:
        """Hash of the records claimed and not yet confirmed (``state/ledger.py``)."""
        return f"{self.prefix}alert-outbox"

    def ledger_redis_run(self) -> str:
        """The Redis server's run id when the ledger last read the topics back."""
        return f"{self.prefix}alert-outbox:redis"

    def window(self, account_id: str, signal: str) -> str:
        """Sorted set of one account's signals of one name, scored by event time (ms)."""
        return f"{self.prefix}win:{account_id}:{signal}"

    def timers(self) -> str:
        """Sorted set of pending absence checks, scored by their due time (ms)."""
        return f"{self.prefix}timers"

    # Governance: cooldown history per (account, rule), alert ids published per
    # account and owner-local day, frustrated tickets and the suppression log per
    # account, and the deferred queue (scores by retry time, payloads by alert id).
    def governance_cooldown(self, account_id: str, rule_id: str) -> str:
        return f"{self.prefix}gov:cool:{account_id}:{rule_id}"

    def governance_day(self, account_id: str, day: str) -> str:
        return f"{self.prefix}gov:day:{account_id}:{day}"

    def governance_tickets(self, account_id: str) -> str:
        return f"{self.prefix}gov:tickets:{account_id}"

    def governance_log(self, account_id: str) -> str:
        return f"{self.prefix}gov:log:{account_id}"

    def governance_snooze(self, account_id: str, rule_id: str) -> str:
        return f"{self.prefix}gov:snooze:{account_id}:{rule_id}"

    def governance_alert(self, alert_id: str) -> str:
        return f"{self.prefix}gov:alert:{alert_id}"

    def governance_deferred(self) -> str:
        return f"{self.prefix}gov:deferred"

    def governance_deferred_payloads(self) -> str:
        return f"{self.prefix}gov:deferred:payload"

    # Weekly digest: near misses per owner and ISO week (the owner, often an e-mail
    # address, is hashed), the index of owner-weeks with near misses, and the marker
    # of an owner-week already published.
    def weekly_digest(self, owner: str, week: str) -> str:
        return f"{self.prefix}digest:week:{_digest(owner)}:{week}"

    def weekly_digest_index(self) -> str:
        """Sorted set of the owner-weeks holding near misses, scored by the week's end (s)."""
        return f"{self.prefix}digest:weeks"

    def weekly_digest_sent(self, owner: str, week: str) -> str:
        return f"{self.prefix}digest:sent:{_digest(owner)}:{week}"

    # The learned scorer (state/model_store.py): the head names the newest checkpoint of a
    # model; each checkpoint is one document; an alert's ticket text is kept for feedback.
    def model_head(self, model: str) -> str:
        return f"{self.prefix}model:{model}:head"

    def model_checkpoint(self, model: str, version: int) -> str:
        return f"{self.prefix}model:{model}:v:{version}"

    def alert_text(self, alert_id: str) -> str:
        """The text of the ticket an alert was about: a value, never part of a key."""
        return f"{self.prefix}alert-text:{alert_id}"

    def pattern(self) -> str:
        """Matches every key of this keyspace (for tests and `cuewire state clear`)."""
        return f"{self.prefix}*"
