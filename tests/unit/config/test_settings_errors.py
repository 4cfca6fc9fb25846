"""Bad settings: one line naming the setting, before any server is contacted; secrets masked;
librdkafka's log through Python logging, rate-limited."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from config.kafka_log import RateLimited
from config.settings import Settings, load_settings, mask_url
from contracts.errors import ConfigurationError, DependencyDown
from cuewire.cli import app
from state.redis_client import connect

PASSWORD = "p@ss:w@rd/x"
FRAGMENTS = ["p@ss", "ss:w", "w@rd", "rd/x", "@rd", "s:w"]


@pytest.mark.parametrize("url", [
    f"redis://user:{PASSWORD}@127.0.0.1:6379/0",
    f"redis://:{PASSWORD}@127.0.0.1:6379/0",
    f"rediss://default:{PASSWORD}@cache.internal:6380",
    f"redis://127.0.0.1:6379/0?password={PASSWORD}",
    f"unix:///run/redis.sock?db=0&password={PASSWORD}",
])
def test_a_masked_url_shows_no_part_of_the_password(url: str) -> None:
    shown = mask_url(url)
    assert not any(f in shown for f in FRAGMENTS), shown
    assert "***" in shown


def test_a_url_without_a_secret_is_shown_whole() -> None:
    assert mask_url("redis://localhost:6379/0") == "redis://localhost:6379/0"
    assert mask_url("redis://cache.internal:6380/2?ssl_cert_reqs=none") == (
        "redis://cache.internal:6380/2?ssl_cert_reqs=none")


def test_redis_down_with_an_at_sign_in_the_password_prints_none_of_it() -> None:
    with pytest.raises(DependencyDown) as caught:
        connect(f"redis://user:{PASSWORD}@127.0.0.1:1/0")
    message = str(caught.value)
    assert "127.0.0.1:1" in message
    assert not any(f in message for f in FRAGMENTS), message


def run_cli(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> tuple[int, str]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # Nothing listens here: a setting that got past validation would fail as "dependency down".
    monkeypatch.setenv("CUEWIRE_KAFKA_BOOTSTRAP", env.get("CUEWIRE_KAFKA_BOOTSTRAP", "127.0.0.1:1"))
    monkeypatch.setenv("CUEWIRE_REDIS_URL", env.get("CUEWIRE_REDIS_URL", "redis://127.0.0.1:1/0"))
    result = CliRunner().invoke(app, ["run", "--exit-at-end"])
    assert isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.mark.parametrize(("env", "named"), [
    ({"CUEWIRE_REDIS_URL": "notaurl"}, "CUEWIRE_REDIS_URL"),
    ({"CUEWIRE_REDIS_URL": "redis://localhost:abc/0"}, "CUEWIRE_REDIS_URL"),
    ({"CUEWIRE_REDIS_URL": f"http://u:{PASSWORD}@h/0"}, "CUEWIRE_REDIS_URL"),
    ({"CUEWIRE_KAFKA_SECURITY_PROTOCOL": "bogus"}, "CUEWIRE_KAFKA_SECURITY_PROTOCOL"),
    ({"CUEWIRE_KAFKA_SASL_MECHANISM": "ROT13"}, "CUEWIRE_KAFKA_SASL_MECHANISM"),
    ({"CUEWIRE_KAFKA_SSL_CA_LOCATION": "/nonexistent/ca.pem"}, "CUEWIRE_KAFKA_SSL_CA_LOCATION"),
    ({"CUEWIRE_KAFKA_START_FROM": "middle"}, "CUEWIRE_KAFKA_START_FROM"),
    ({"CUEWIRE_KAFKA_BOOTSTRAP": ""}, "CUEWIRE_KAFKA_BOOTSTRAP"),
    ({"CUEWIRE_KAFKA_BOOTSTRAP": "localhost:notaport"}, "CUEWIRE_KAFKA_BOOTSTRAP"),
    ({"CUEWIRE_KAFKA_BOOTSTRAPS": "localhost:9092"}, "CUEWIRE_KAFKA_BOOTSTRAPS"),
    ({"CUEWIRE_REDIS_URLS": "redis://localhost"}, "CUEWIRE_REDIS_URLS"),
    ({"CUEWIRE_RULES": "/nonexistent/rules.yaml"}, "CUEWIRE_RULES"),
    ({"CUEWIRE_TAXONOMY": "/nonexistent/taxonomy.yaml"}, "CUEWIRE_TAXONOMY"),
    ({"CUEWIRE_DATE_WINDOW_YEARS": "0"}, "CUEWIRE_DATE_WINDOW_YEARS"),
    ({"CUEWIRE_MAX_RECORD_BYTES": "4000000"}, "CUEWIRE_MAX_RECORD_BYTES"),
])
def test_a_bad_setting_is_one_line_naming_it(monkeypatch: pytest.MonkeyPatch,
                                             env: dict[str, str], named: str) -> None:
    code, output = run_cli(monkeypatch, env)
    assert code == 2, output
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith("cuewire: configuration error:") and named in lines[0]
    assert "Traceback" not in output
    assert not any(f in output for f in FRAGMENTS)


def test_a_rules_file_that_does_not_validate_is_one_line(monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text("version: 1\nrules:\n  - id: x\n    signal: churn_risk\n    when: {count: 3}\n")
    code, output = run_cli(monkeypatch, {"CUEWIRE_RULES": str(bad)})
    assert code == 2 and len(output.strip().splitlines()) == 1
    assert "CUEWIRE_RULES" in output and "line" in output


def test_an_unknown_name_suggests_the_known_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUEWIRE_KAFKA_BOOTSTRAPS", "x")
    with pytest.raises(ConfigurationError, match="did you mean CUEWIRE_KAFKA_BOOTSTRAP"):
        load_settings()


def test_the_redis_server_binary_replay_is_told_to_use_is_not_taken_for_a_typo(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The replay's own error tells users to set CUEWIRE_REDIS_SERVER: it must then load."""
    monkeypatch.setenv("CUEWIRE_REDIS_SERVER", "/usr/bin/redis-server")
    load_settings()
    monkeypatch.setenv("CUEWIRE_REDIS_SERVERS", "/usr/bin/redis-server")
    with pytest.raises(ConfigurationError, match="CUEWIRE_REDIS_SERVERS: not a setting"):
        load_settings()


def test_the_clients_log_through_a_rate_limited_python_logger() -> None:
    settings = Settings()
    for conf in (settings.kafka_producer(), settings.kafka_consumer(), settings.kafka_admin()):
        logger = conf["logger"]
        assert isinstance(logger, logging.Logger)
        assert any(isinstance(f, RateLimited) for f in logger.filters)


def test_an_outage_prints_a_handful_of_lines_not_hundreds() -> None:
    now = [0.0]
    limiter = RateLimited(burst=5, period_s=60.0, clock=lambda: now[0])
    logger = logging.getLogger("cuewire.test.kafka")
    logger.propagate = False
    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    logger.handlers = [Collect()]
    logger.filters = [limiter]
    for i in range(200):
        now[0] = i * 0.1  # 200 lines in 20 s, as while a broker is stopped
        logger.error("FAIL|rdkafka#producer-1| 127.0.0.1:9092/bootstrap: Connect failed %d", i)
    assert len(seen) == 5
    now[0] = 61.0
    logger.error("FAIL|rdkafka#producer-1| broker back")
    assert len(seen) == 7
    assert "195 more librdkafka messages" in seen[5]
    assert seen[6].endswith("broker back")


def test_each_file_is_checked_as_what_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    from config.rules import DEFAULT_RULES
    from config.taxonomy import DEFAULT_TAXONOMY

    monkeypatch.setenv("CUEWIRE_RULES", str(DEFAULT_TAXONOMY))
    with pytest.raises(ConfigurationError, match="CUEWIRE_RULES"):
        load_settings()
    monkeypatch.setenv("CUEWIRE_RULES", str(DEFAULT_RULES))
    monkeypatch.setenv("CUEWIRE_TAXONOMY", str(DEFAULT_RULES))
    with pytest.raises(ConfigurationError, match="CUEWIRE_TAXONOMY"):
        load_settings()
    monkeypatch.setenv("CUEWIRE_TAXONOMY", str(DEFAULT_TAXONOMY))
    assert load_settings().rules == DEFAULT_RULES
