"""A reviewer works the console in a real headless Chromium, against the whole flow.

The flow publishes alerts from real Kafka and Redis; the reviewer signs in,
edits and approves one, dismisses one with a reason and snoozes one; the
decisions land on the feedback topic, the flow honours the snooze when the
same account's rule would fire again, and the rules page shows the precision.
The screenshots the README shows are taken here.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from config.settings import Settings
from cuewire.app import run_kafka
from cuewire.explain_cmd import explain_command
from tests.console.browser import chromium, live_console
from tests.console.helpers import PASSWORD, RILEY, SAM, console_client, read, wait_until
from tests.e2e.test_flow_kafka import produce

pytestmark = pytest.mark.e2e

DOCS = Path(__file__).parents[2] / "docs"
SHOTS = ("console-inbox.png", "console-alert.png")


def screenshots(tmp_path: Path) -> Path:
    """Where this run's screenshots go: the README's own with CUEWIRE_UPDATE_SCREENSHOTS=1
    (`make screenshots`) or when they are missing, else a temporary directory, so a test
    run leaves the work tree as it found it."""
    if os.environ.get("CUEWIRE_UPDATE_SCREENSHOTS") == "1" or not all((DOCS / n).exists() for n in SHOTS):
        DOCS.mkdir(exist_ok=True)
        return DOCS
    return tmp_path
NOW = datetime.now(UTC).replace(microsecond=0)
TEXTS = {
    "acct_a": "Our numbers are wrong and data disappeared from the dashboard overnight.",
    "acct_b": "We were charged twice and the export is broken, this is unacceptable.",
    "acct_c": "Data disappeared again and the Salesforce sync keeps failing, we are furious.",
    "acct_s": "Our numbers are wrong and data disappeared, nobody answers.",
}


def account(account_id: str, name: str, owner: str) -> dict[str, Any]:
    return {"account_id": account_id, "name": name, "mrr": 4800, "renewal_date": (NOW + timedelta(days=40))
            .date().isoformat(), "health_score": 52, "consent": {"email": True},
            "cs_owner": {"name": "Riley Chen" if owner == RILEY else "Sam Ortiz", "email": owner},
            "contacts": [f"dana@{account_id}.test"]}


def ticket(account_id: str, n: int, at: datetime) -> tuple[str, bytes, bytes]:
    body = {"source": "generic", "ticket_id": f"{account_id}-{n}", "account_id": account_id,
            "requester_email": f"dana@{account_id}.test", "subject": "Help", "body": TEXTS[account_id],
            "created_at": at.isoformat().replace("+00:00", "Z")}
    return ("tickets", account_id.encode(), orjson.dumps(body))


def flow(settings: Settings, recovery: Path) -> None:
    run_kafka(settings, exit_at_end=True, epoch_seconds=1, recovery_dir=recovery)


def sign_in(driver: WebDriver, base: str, email: str) -> None:
    driver.get(f"{base}/inbox")
    assert driver.find_element(By.ID, "sign-in"), "an unauthenticated visitor gets the sign-in page"
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "sign-in").click()
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "signed-in"))


def open_alert(driver: WebDriver, base: str, account_id: str) -> None:
    driver.get(f"{base}/inbox")
    row = driver.find_element(By.XPATH, f"//tr[td/a[contains(., '{account_id}')]]")
    row.find_element(By.TAG_NAME, "a").click()
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "decide"))


def decided(driver: WebDriver, what: str) -> None:
    WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.ID, "notice"))
    assert f"Recorded: {what}" in driver.find_element(By.ID, "notice").text


def test_a_reviewer_approves_dismisses_and_snoozes_and_the_flow_honours_the_snooze(
        settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.INFO)
    recovery = tmp_path / "recovery"
    produce(settings, [("accounts", a.encode(), orjson.dumps(account(a, n, o))) for a, n, o in (
        ("acct_a", "Acme", RILEY), ("acct_b", "Borealis", RILEY), ("acct_c", "Cobalt", RILEY),
        ("acct_s", "Sable", SAM))])
    flow(settings, recovery)
    produce(settings, [ticket(a, 1, NOW - timedelta(days=4, hours=i)) for i, a in enumerate(TEXTS)])
    flow(settings, recovery)
    first = {a["data"]["account_id"]: a for a in read(settings, "alerts")}
    assert set(first) == set(TEXTS), "every account's ticket passes the gate"

    until = date.today() + timedelta(days=14)
    with console_client(settings, f"sqlite:///{tmp_path / 'console.db'}", tmp_path) as (console, _), \
            live_console(console) as base, chromium() as driver:
        wait_until(lambda: len(console.store.next_offsets()) > 0 and _alerts_in_view(console) == 4,
                   "the flow's alerts in the console")
        sign_in(driver, base, RILEY)
        rows = driver.find_elements(By.CSS_SELECTOR, "#inbox tr.row")
        assert len(rows) == 3, "Riley's inbox has Riley's three accounts, not Sam's"
        shots = screenshots(tmp_path)
        driver.save_screenshot(str(shots / "console-inbox.png"))
        # A filter refreshes the rows in place (htmx), without reloading the page.
        priorities = [r.find_element(By.CLASS_NAME, "pill").text for r in rows]
        last = priorities[-1]  # newest critical first: the last row has the lowest priority
        driver.execute_script("window.notReloaded = true")
        Select(driver.find_element(By.NAME, "priority")).select_by_visible_text(last)
        WebDriverWait(driver, 30).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#inbox tr.row"))
                                        == priorities.count(last))
        assert driver.execute_script("return window.notReloaded") is True
        assert f"priority={last}" in driver.current_url

        open_alert(driver, base, "Acme")
        assert driver.find_elements(By.CSS_SELECTOR, ".evidence mark"), "the evidence's phrases are marked"
        driver.set_window_size(1280, 1500)  # the whole alert, decision form included
        driver.save_screenshot(str(shots / "console-alert.png"))
        driver.set_window_size(1280, 900)
        message = driver.find_element(By.ID, "message")
        message.clear()
        message.send_keys("Hi Dana, I am on it personally and will call you at 3pm. Riley")
        driver.find_element(By.ID, "approve").click()
        decided(driver, "approved")

        open_alert(driver, base, "Borealis")
        Select(driver.find_element(By.ID, "reason")).select_by_value("false_signal")
        driver.find_element(By.ID, "dismiss").click()
        decided(driver, "dismissed")

        open_alert(driver, base, "Cobalt")
        driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.ID, "until"),
                              until.isoformat())
        driver.find_element(By.ID, "snooze").click()
        decided(driver, "snoozed")

        driver.get(f"{base}/rules")
        row = driver.find_element(By.CSS_SELECTOR, 'tr[data-rule="ticket-frustration-gate"]')
        assert row.find_element(By.CLASS_NAME, "precision").text == "50 %"

    feedback = {f["alert_id"]: f for f in read(settings, "feedback")}
    assert {f["decision"] for f in feedback.values()} == {"approved", "dismissed", "snoozed"}
    assert feedback[first["acct_a"]["id"]]["message"].startswith("Hi Dana, I am on it personally")
    assert feedback[first["acct_b"]["id"]]["reason"] == "false_signal"
    assert feedback[first["acct_c"]["id"]]["until"] == f"{until.isoformat()}T00:00:00Z"
    assert not any(TEXTS[a] in caplog.text for a in TEXTS), "ticket text never in the console's logs"

    stray = {"alert_id": "never-published", "decision": "snoozed", "until": "2030-01-01T00:00:00Z",
             "at": NOW.isoformat()}
    produce(settings, [("feedback", b"never-published", orjson.dumps(stray))])
    flow(settings, recovery)  # the flow reads the decisions
    [dead] = read(settings, "dlq")
    assert dead["error"].startswith("snooze not honoured: the alert is unknown here")
    produce(settings, [ticket(a, 2, NOW - timedelta(hours=1)) for a in ("acct_b", "acct_c")])
    flow(settings, recovery)
    again = [a["data"]["account_id"] for a in read(settings, "alerts") if a["id"] not in
             {f["id"] for f in first.values()}]
    assert again == ["acct_b"], "the same input fires for the dismissed account, not the snoozed one"
    held = [d["data"] for d in read(settings, "digest") if d["type"] == "io.cuewire.digest.suppressed"]
    assert [h["account_id"] for h in held] == ["acct_c"]
    assert held[0]["reason"].startswith(f"snoozed: {RILEY} snoozed rule ticket-frustration-gate for acct_c")

    # `cuewire explain` at 80 columns tells the whole story of the snoozed account.
    for name, value in {"CUEWIRE_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
                        "CUEWIRE_REDIS_URL": settings.redis_url.get_secret_value(),
                        "CUEWIRE_REDIS_PREFIX": settings.redis_prefix, "COLUMNS": "80",
                        **{f"CUEWIRE_TOPIC_{k.upper()}": settings.topic(k)  # type: ignore[arg-type]
                           for k in ("alerts", "digest", "feedback")}}.items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    explain_command("acct_c")
    told = capsys.readouterr().out
    assert all(len(line) <= 80 for line in told.splitlines())
    flat = " ".join(told.split())
    assert "1 published, 1 suppressed" in flat
    assert f"snoozed until {until.isoformat()} by {RILEY}" in flat
    assert f"snoozed: {RILEY} snoozed rule ticket-frustration-gate for acct_c" in flat


def test_another_reviewer_cannot_see_or_decide_and_a_forged_post_is_refused(
        settings: Settings, tmp_path: Path) -> None:
    from tests.console.helpers import alert_event
    from tests.console.helpers import produce as produce_alerts

    produce_alerts(settings, "alerts", [(b"acct_42", alert_event("al-riley")),
                                        (b"acct_9", alert_event("al-sam", account_id="acct_9", owner=SAM))])
    with console_client(settings, f"sqlite:///{tmp_path / 'console.db'}", tmp_path) as (console, _), \
            live_console(console) as base, chromium() as driver:
        wait_until(lambda: _alerts_in_view(console) == 2, "the alerts in the console")
        driver.get(f"{base}/alerts/al-riley")
        assert driver.find_elements(By.ID, "sign-in"), "signed out, an alert's address shows the sign-in page"
        sign_in(driver, base, SAM)
        assert "al-riley" not in driver.page_source
        driver.get(f"{base}/alerts/al-riley")
        assert "No such alert for you" in driver.find_element(By.ID, "missing").text
        post = ("return fetch(arguments[0], {method: 'POST', headers: {'Content-Type': "
                "'application/x-www-form-urlencoded'}, body: arguments[1]}).then(r => r.status)")
        # Sam's own alert, signed in, but without the form's token: refused.
        assert driver.execute_script(post, f"{base}/alerts/al-sam/decide", "decision=approved") == 403
        token = driver.execute_script("return document.querySelector('[name=csrf_token]').value")
        # With a valid token, another owner's alert still cannot be decided.
        assert driver.execute_script(post, f"{base}/alerts/al-riley/decide",
                                     f"decision=approved&csrf_token={token}") == 404
    assert read(settings, "feedback") == []


def _alerts_in_view(console: Any) -> int:
    import sqlalchemy as sa

    from console.store import alerts

    with console.store.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(alerts)).scalar_one())
