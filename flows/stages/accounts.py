"""The accounts stage: records in log order, joined with the tables, on their account's worker.

Every event, ticket and CRM snapshot goes to one key (``LOG_KEY``): ``order-by-log``
(``flows/input_order.py``) hands them on in log order and ``resolve-accounts``
(``flows/table_join.py``) joins each with the accounts, identity links and consent
as they were at its time. Then each record goes to its account's shard, so one
worker handles an account's records in that order; tickets and everything else
leave the stage apart.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

import bytewax.operators as op
from bytewax.dataflow import Stream, operator

from flows.input_order import log_order
from flows.partition_ends import PartitionEnds
from flows.stages.items import Decoded, Located
from flows.table_join import LOG_KEY, AccountJoin, hand_off, table_join
from operators.ordering import OrderPolicy, PartitionMark
from operators.records import Ticket

ORDER_SHARDS = 16
"""Account shards: after ``resolve-accounts`` each account's records go to one of them, and
Bytewax spreads them over the workers."""


@dataclass(frozen=True)
class LogOrdering:
    """What ``order-by-log`` waits for: the partitions it expects, and, in a live run, the
    broker's answer to where each ends (less a margin for records still on their way)."""

    policy: OrderPolicy
    partition_ends: Callable[[], PartitionEnds | None] = lambda: None
    margin_ms: int = 0


def timeline_key(item: Decoded | PartitionMark) -> str:
    """Every event, ticket and snapshot goes to one key: one worker puts them in log order
    and joins them with the tables as of their time."""
    return LOG_KEY


def account_shard(item: Located) -> str:
    """Routes a joined record to its account's shard, so one worker handles an account's
    records, in the order ``resolve-accounts`` handed them on."""
    account = item.resolved.account_id
    basis = account.encode() if account else (item.coords.key or b"")
    return str(zlib.crc32(basis) % ORDER_SHARDS)


def is_ticket(located: Located) -> bool:
    return located.failure is None and isinstance(located.resolved.record, Ticket)


@dataclass(frozen=True)
class Accounts:
    tickets: Stream[Located]
    others: Stream[Located]
    """Events, CRM snapshots and the dead letters of records whose join failed."""


@operator
def accounts(step_id: str, timeline: Stream[Decoded | PartitionMark], ordering: LogOrdering,
             join: AccountJoin, live: bool) -> Accounts:
    keyed = op.key_on("key-timeline", timeline, timeline_key)           # ("log", Decoded|Mark)
    ordered = op.stateful_batch("order-by-log", keyed, log_order(
        ordering.policy, ordering.partition_ends, ordering.margin_ms))  # ("log", Decoded)
    joined = op.stateful_batch("resolve-accounts", ordered, table_join(join))  # ("log", Located)
    located = op.key_rm("unkey-timeline", joined)                        # Located
    sharded = op.key_on("key-account-shards", located, account_shard)
    handed = op.stateful_batch("to-account-shards", sharded, hand_off(live))
    in_order = op.key_rm("unkey-account-shards", handed)                 # Located
    by_kind = op.branch("split-tickets", in_order, is_ticket)
    return Accounts(by_kind.trues, by_kind.falses)
