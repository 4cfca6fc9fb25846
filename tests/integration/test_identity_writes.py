"""The identity tables' writes (``state/identity.py``): one script call per batch where the
server runs scripts, the same keys, values and TTLs as plain commands where it does not."""

import pytest
import redis

from state.identity import IdentityStore
from state.keys import Keyspace, TTLs
from state.redis_client import connect
from tests.integration.command_calls import command_calls

pytestmark = pytest.mark.integration

WRITES = {("email", "dana@acme.io"): ((5, "acct_42"),),
          ("account", "acct_42"): ((1, {"mrr": 1000}), (9, {"mrr": 3200})),
          ("user", "u1"): ((3, "acct_42"), (8, None))}


def _landed(client: redis.Redis, ks: Keyspace, store: IdentityStore) -> None:
    assert store.fetch_versions(WRITES) == WRITES
    assert 0 < client.ttl(ks.table(("account", "acct_42"))) <= 100
    for key in (("email", "dana@acme.io"), ("user", "u1")):
        assert 100 < client.ttl(ks.table(key)) <= 200


def test_a_batch_of_writes_is_one_script_call(redis_url: str, unique: str) -> None:
    client = connect(redis_url)
    ks = Keyspace(f"t{unique}:")
    store = IdentityStore(client, ks, TTLs(account=100, identity=200))
    store.write(WRITES)  # loads the script
    scripts, sets = command_calls(client, "evalsha"), command_calls(client, "set")
    store.write(WRITES)
    assert command_calls(client, "evalsha") - scripts == 1
    assert command_calls(client, "set") - sets == len(WRITES)  # the script's, inside the server
    _landed(client, ks, store)


def test_a_user_not_allowed_scripts_writes_the_same_as_plain_commands(
        unique: str, no_scripts: redis.Redis) -> None:
    ks = Keyspace(f"t{unique}:")
    store = IdentityStore(no_scripts, ks, TTLs(account=100, identity=200))
    store.write(WRITES)
    store.write(WRITES)  # and goes on without asking again
    _landed(no_scripts, ks, store)


def test_an_in_process_redis_writes_the_same(unique: str) -> None:
    """fakeredis runs scripts only with ``lupa``; without it the writes are plain commands."""
    fakeredis = pytest.importorskip("fakeredis")
    client = fakeredis.FakeRedis()
    ks = Keyspace(f"t{unique}:")
    store = IdentityStore(client, ks, TTLs(account=100, identity=200))
    store.write(WRITES)
    _landed(client, ks, store)


def test_a_script_that_fails_is_an_error_not_a_reason_to_write_otherwise(redis_url: str, unique: str) -> None:
    client = connect(redis_url)
    store = IdentityStore(client, Keyspace(f"t{unique}:"), TTLs())
    store._write_tables = client.register_script("return redis.error_reply('OOM command not allowed')")
    with pytest.raises(redis.ResponseError, match="command not allowed"):
        store.write(WRITES)
    assert store.fetch_versions(WRITES) == {key: () for key in WRITES}
    assert store._write_tables is not None
