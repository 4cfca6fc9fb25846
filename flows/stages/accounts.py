"""The accounts stage: records in log order, joined with the tables, on their account's worker.

Every event, ticket and CRM snapshot goes to one key (``LOG_KEY``), a worker's batch at a
time (records cross between workers as whole batches, not one by one): ``order-by-log``
(``flows/input_order.py``) hands them on in log order and ``resolve-accounts``
(``flows/table_join.py``) joins each with the accounts, identity links and consent
as they were at its time. Then each record goes to its account's shard (a batch's
records for one shard together), so one worker handles an account's records in
that order; tickets and everything else leave the stage apart.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

import bytewax.operators as op
from bytewax.dataflow import Stream, operator

from flows.input_order import log_order
from flows.partition_ends import PartitionEnds
from flows.stages.items import Decoded, Located, ShardBatch, TimelineBatch
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


def as_timeline_batch(batch: list[Decoded | PartitionMark]) -> list[TimelineBatch]:
    """A worker's batch as the one item that crosses to ``order-by-log``, in its order (the
    partition mark stays behind the records it covers)."""
    return [TimelineBatch(tuple(batch))] if batch else []


def timeline_key(item: TimelineBatch) -> str:
    """Every event, ticket and snapshot goes to one key: one worker puts them in log order
    and joins them with the tables as of their time."""
    return LOG_KEY


def account_shard(item: Located) -> str:
    """A joined record's account shard: one worker handles an account's records, in the
    order ``resolve-accounts`` handed them on."""
    account = item.resolved.account_id
    basis = account.encode() if account else (item.coords.key or b"")
    return str(zlib.crc32(basis) % ORDER_SHARDS)


def by_account_shard(batch: list[Located]) -> list[ShardBatch]:
    """A batch of joined records as one item per account shard, each shard's records in the
    order they were joined."""
    shards: dict[str, list[Located]] = {}
    for located in batch:
        shards.setdefault(account_shard(located), []).append(located)
    return [ShardBatch(shard, tuple(records)) for shard, records in shards.items()]


def shard_of(batch: ShardBatch) -> str:
    return batch.shard


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
    batches = op.flat_map_batch("batch-timeline", timeline, as_timeline_batch)  # TimelineBatch
    keyed = op.key_on("key-timeline", batches, timeline_key)            # ("log", TimelineBatch)
    ordered = op.stateful_batch("order-by-log", keyed, log_order(
        ordering.policy, ordering.partition_ends, ordering.margin_ms))  # ("log", Decoded)
    joined = op.stateful_batch("resolve-accounts", ordered, table_join(join))  # ("log", Located)
    located = op.key_rm("unkey-timeline", joined)                        # Located
    per_shard = op.flat_map_batch("batch-account-shards", located, by_account_shard)  # ShardBatch
    sharded = op.key_on("key-account-shards", per_shard, shard_of)
    handed = op.stateful_batch("to-account-shards", sharded, hand_off(live))
    in_order = op.key_rm("unkey-account-shards", handed)                 # Located
    by_kind = op.branch("split-tickets", in_order, is_ticket)
    return Accounts(by_kind.trues, by_kind.falses)
