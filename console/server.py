"""``cuewire console``: builds the store, the follower, the writer and the app, and serves them."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from config.settings import Settings
from config.taxonomy import load_taxonomy
from console.app import Console, Vocabulary, create_app
from console.auth import Authenticator, load_users
from console.feedback import FeedbackWriter
from console.follow import TopicFollower
from console.settings import ConsoleSettings
from console.store import ViewStore, connect
from contracts.errors import ConfigurationError

SIGNALS = ("churn_risk", "upgrade_intent", "feature_gap", "billing_issue", "abandonment", "inactivity")


def vocabulary(settings: Settings) -> Vocabulary:
    taxonomy = load_taxonomy(settings.taxonomy)
    signals = set(SIGNALS) | {c.signal for c in taxonomy.categories} | {i.signal for i in taxonomy.intents}
    topics = {c.topic for c in taxonomy.categories} | {i.topic for i in taxonomy.intents if i.topic}
    return Vocabulary(sorted(signals), sorted(topics | {"other"}), sorted(i.id for i in taxonomy.intents))


@contextmanager
def console_parts(settings: Settings, console_settings: ConsoleSettings, *,
                  rebuild: bool = False) -> Iterator[Console]:
    """A running console (its follower started), stopped on exit; ``rebuild`` empties the
    view first, so it is read again from the topics' beginnings."""
    users = load_users(console_settings.users_file)
    if not users and not console_settings.trusted_proxies:
        raise ConfigurationError("nobody could sign in: set CUEWIRE_CONSOLE_USERS_FILE (built-in accounts) "
                                 "or CUEWIRE_CONSOLE_TRUSTED_PROXIES (a signing-in reverse proxy)")
    store = ViewStore(connect(console_settings.database_url))
    if rebuild:
        store.reset()
    follower = TopicFollower(store, settings.kafka_consumer(), {
        "alerts": settings.topic_alerts, "feedback": settings.topic_feedback,
        "digest": settings.topic_digest, "accounts": settings.topic_accounts}).start()
    writer = FeedbackWriter(settings.kafka_producer(), settings.topic_feedback)
    try:
        yield Console(console_settings, store, follower, writer, Authenticator(console_settings, users),
                      vocabulary(settings))
    finally:
        writer.close()
        follower.stop()
        store.engine.dispose()


def serve(settings: Settings, console_settings: ConsoleSettings, *, rebuild: bool = False) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with console_parts(settings, console_settings, rebuild=rebuild) as console:
        print(f"cuewire console on http://{console_settings.host}:{console_settings.port}/", flush=True)
        uvicorn.run(create_app(console), host=console_settings.host, port=console_settings.port,
                    log_level="info", forwarded_allow_ips=[str(n) for n in console_settings.trusted_proxies]
                    or None)
