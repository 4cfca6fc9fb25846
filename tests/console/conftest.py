"""The console's fixtures: its database (SQLite and a real PostgreSQL, every test on both),
topics of its own on the session's Kafka, and a running console with two reviewers and an admin."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from config.settings import Settings
from flows.kafka_io import ensure_topics
from tests.console.postgres import PostgresServer


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if os.environ.get("CUEWIRE_TEST_POSTGRES_URL"):
        yield os.environ["CUEWIRE_TEST_POSTGRES_URL"]
        return
    # Not under pytest's own temporary directory: the server runs as `postgres`, which
    # may not enter root's private directories.
    root = Path(tempfile.mkdtemp(prefix="cuewire-pg-"))
    server = PostgresServer(root).start()
    try:
        yield server.url
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, unique: str) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'console.db'}"
    admin_url: str = request.getfixturevalue("postgres_url")
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "c{unique}"'))
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/c{unique}"


@pytest.fixture
def settings(kafka_bootstrap: str, redis_url: str, unique: str) -> Settings:
    s = Settings(
        kafka_bootstrap=kafka_bootstrap, redis_url=redis_url,  # type: ignore[arg-type]
        redis_prefix=f"con{unique}:", deployment="test", kafka_partitions=2,
        **{f"topic_{k}": f"cuewire.{k}.{unique}" for k in
           ("events", "tickets", "accounts", "feedback", "alerts", "digest", "dlq")},
    )
    ensure_topics(s)
    return s
