"""Where cuewire keeps what it fetches or builds once: servers, the trained start-up model.

One directory, outside the repository, named by one setting, ``CUEWIRE_CACHE``
(default ``~/.cache/cuewire``). ``CUEWIRE_CACHE_DIR``, the name the model cache
once read, is still honoured when ``CUEWIRE_CACHE`` is unset.

>>> cache_root({"CUEWIRE_CACHE": "/srv/cache"})
PosixPath('/srv/cache')
>>> cache_root({"CUEWIRE_CACHE_DIR": "/old"})
PosixPath('/old')
>>> cache_root({}) == Path.home() / ".cache" / "cuewire"
True
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def cache_root(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    named = env.get("CUEWIRE_CACHE") or env.get("CUEWIRE_CACHE_DIR")
    return Path(named) if named else Path.home() / ".cache" / "cuewire"
