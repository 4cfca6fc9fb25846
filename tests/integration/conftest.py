"""What the state stores' script tests share: a client refused scripts, and the server's
own count of each command (a script's commands are counted inside the server)."""

import uuid
from collections.abc import Iterator

import pytest
import redis

from state.redis_client import connect


@pytest.fixture
def no_scripts(redis_url: str) -> Iterator[redis.Redis]:
    """A client whose ACL user may run everything but scripts."""
    admin = connect(redis_url)
    name, password = f"noscripts{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    admin.acl_setuser(name, enabled=True, passwords=[f"+{password}"], keys=["*"],
                      commands=["+@all", "-@scripting"])
    try:
        yield redis.Redis.from_url(redis_url, username=name, password=password)
    finally:
        admin.acl_deluser(name)
