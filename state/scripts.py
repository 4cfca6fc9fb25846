"""Server-side scripts: whether a Redis server runs them, and how a refusal reads.

Where one Lua script does what a batch would otherwise stage command by command (the
identity writes, the window exchange, the ledger's claim and confirm), redis-py's cost
per command (staging, packing, parsing each reply in Python) is paid once. A server
that runs no scripts (fakeredis without ``lupa``, an ACL without ``@scripting``) gets
the same commands one by one: :class:`ScriptSupport` asks it once, on first use.

>>> import fakeredis
>>> ScriptSupport(fakeredis.FakeRedis()).available() in (True, False)
True
"""

from __future__ import annotations

import redis

MAX_UNPACK = 4000
"""Values a script passes to one ``redis.call`` through ``unpack`` at most (Lua's C stack
holds about 8,000): a longer list goes in several calls."""

IN_PIECES = f"""
local function in_pieces(command, key, list, from, last)
  while from <= last do
    local upto = math.min(from + {MAX_UNPACK} - 1, last)
    redis.call(command, key, unpack(list, from, upto))
    from = upto + 1
  end
end
"""
"""A Lua function for scripts: ``command key list[from..last]``, as several calls of at
most :data:`MAX_UNPACK` values when the list is longer (keep ``MAX_UNPACK`` even, so
score-member pairs are never split)."""

SCRIPT_PIECE = 1000
"""Windows, timers, reads or ledger ids one script call takes at most: a script holds the
server while it runs, so a bounded run's batch of a hundred thousand goes in pieces of a
few milliseconds each (all in one pipeline), not in one call that blocks other clients
for seconds (past ``lua-time-limit`` they would be told the server is busy)."""


def no_scripts(exc: redis.ResponseError) -> bool:
    """Whether the server refused to run a script at all (rather than a script failing)."""
    words = str(exc).lower()
    return "unknown command" in words or words.startswith("noperm") or "no permissions" in words


class ScriptSupport:
    """Whether ``client``'s server runs scripts: found out by a store's first script call
    (:meth:`worth_trying`, :meth:`refused`), or, for a script staged in a pipeline, asked
    with one ``EVAL`` the first time (:meth:`available`)."""

    def __init__(self, client: redis.Redis) -> None:
        self._r = client
        self._known: bool | None = None

    def available(self) -> bool:
        if self._known is None:
            try:
                self._r.eval("return 1", 0)
                self._known = True
            except redis.ResponseError as exc:
                if not self.refused(exc):
                    raise
        return bool(self._known)

    def worth_trying(self) -> bool:
        """Whether to send a script (rather than its commands): no refusal seen yet."""
        return self._known is not False

    def refused(self, exc: redis.ResponseError) -> bool:
        """Whether ``exc`` is the server refusing scripts (then they are not tried again)."""
        if no_scripts(exc):
            self._known = False
            return True
        return False
