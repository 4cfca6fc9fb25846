"""A bare SET stages exactly what redis-py's ``set`` would, and reads its reply the same way."""

from __future__ import annotations

import fakeredis
import pytest

from state.commands import (
    stage_expire,
    stage_set,
    stage_zadd,
    stage_zremrangebyrank,
    stage_zremrangebyscore,
    stage_zrevrangebyscore,
)


@pytest.mark.parametrize("nx", [False, True])
@pytest.mark.parametrize("get", [False, True])
def test_the_staged_command_is_redis_pys_own(nx: bool, get: bool) -> None:
    client = fakeredis.FakeRedis()
    theirs, ours = client.pipeline(transaction=False), client.pipeline(transaction=False)
    theirs.set("alert:a", b"pending:r", nx=nx, get=get, ex=600)
    stage_set(ours, "alert:a", b"pending:r", nx=nx, get=get, ex=600)
    assert ours.command_stack == theirs.command_stack  # (arguments in order, reply options)


@pytest.mark.parametrize("get", [False, True])
def test_replies_read_as_set_reads_them(get: bool) -> None:
    client = fakeredis.FakeRedis()
    client.set("t-taken", b"sent")
    client.set("o-taken", b"sent")
    ours, theirs = client.pipeline(transaction=False), client.pipeline(transaction=False)
    theirs.set("t-free", b"x", nx=True, get=get, ex=60)
    theirs.set("t-taken", b"x", nx=True, get=get, ex=60)
    stage_set(ours, "o-free", b"x", nx=True, get=get, ex=60)
    stage_set(ours, "o-taken", b"x", nx=True, get=get, ex=60)
    assert ours.execute() == theirs.execute() == ([None, b"sent"] if get else [True, None])
    assert 0 < client.ttl("o-free") <= 60 and client.get("o-taken") == b"sent"


def test_the_window_exchanges_commands_are_redis_pys_own() -> None:
    theirs = fakeredis.FakeRedis(server=fakeredis.FakeServer()).pipeline(transaction=False)
    ours = fakeredis.FakeRedis(server=fakeredis.FakeServer()).pipeline(transaction=False)
    members = {b'{"key":"a"}': 1_000, b'{"key":"b"}': 2_000}
    theirs.zadd("w", members)
    stage_zadd(ours, "w", members)
    theirs.zremrangebyscore("w", "-inf", 500)
    stage_zremrangebyscore(ours, "w", "-inf", 500)
    theirs.zremrangebyrank("w", 0, -101)
    stage_zremrangebyrank(ours, "w", 0, -101)
    theirs.expire("w", 86_400)
    stage_expire(ours, "w", 86_400)
    theirs.zrevrangebyscore("w", "+inf", 1_500, start=0, num=50)
    stage_zrevrangebyscore(ours, "w", "+inf", 1_500, start=0, num=50)
    assert ours.command_stack == theirs.command_stack
    assert ours.execute() == theirs.execute() == [2, 0, 0, True, [b'{"key":"b"}']]
