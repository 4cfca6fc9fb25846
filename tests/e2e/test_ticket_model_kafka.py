"""Tickets written the way customers write them alert end to end, over real Kafka and Redis.

None of these texts is in the training corpus or the taxonomy's examples (a
test below checks it): a cancellation question that never says "cancel", one
broken integration raised three times in different words, and a frustrated
German ticket. Each reaches the alert topic through the learned ticket model,
carrying the model's evidence.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import Settings
from config.taxonomy import load_taxonomy
from cuewire.app import run_kafka
from operators.corpus import load_tickets
from operators.learned_score import taxonomy_examples, training_files
from tests.e2e.test_flow_kafka import produce
from tests.e2e.test_flow_kafka import settings as settings
from tests.e2e.test_patterns_kafka import account, alerts_by, ticket

pytestmark = pytest.mark.e2e

LEAVING = ("Hi, we've signed with another vendor for next year, so we won't need the subscription "
           "after it runs out in February. What do we have to do on our side, and can we get a "
           "copy of everything before the account is closed?")
CONNECTOR = [
    "Our Pipedrive deals stopped showing up in the pipeline board on Friday, although the "
    "connector page says it is connected.",
    "Following up on my earlier message: still no new Pipedrive deals are coming across. I "
    "re-authorised the connection, nothing changed.",
    "Still broken. Pipedrive has pushed zero deals into the board for ten days now and my sales "
    "team is working blind, please escalate the Pipedrive connector issue.",
]
GERMAN = ("Seit Montag bekommen wir bei jedem Export nur noch leere Dateien, unsere Buchhaltung "
          "steht komplett still. Das ist jetzt das dritte Mal in diesem Monat, wir sind wirklich "
          "verärgert.")
GERMAN_CALM = ("Hallo, kurze Frage: Wie kann ich im Bericht die Spalten umbenennen? Vielen Dank "
               "und einen schönen Tag!")


def test_the_texts_are_not_training_data() -> None:
    seen = {t.text.casefold() for p in training_files() for t in load_tickets(p)}
    seen |= {t.text.casefold() for t in taxonomy_examples(load_taxonomy())}
    for text in (LEAVING, *CONNECTOR, GERMAN, GERMAN_CALM):
        assert not any(text.casefold()[:60] in s for s in seen)


def test_customer_language_alerts_end_to_end(settings: Settings, tmp_path: Path) -> None:
    # The two German accounts renew within 60 days: the gate alerts on a frustrated ticket
    # (score ≥ 50, the model's "frustrated"), and only on a frustrated one.
    produce(settings, [account("leaving"), account("connector"),
                       account("berlin", renewal_date="2026-12-20"),
                       account("munich", renewal_date="2026-12-20")])
    run_kafka(settings, exit_at_end=True, epoch_seconds=1, recovery_dir=tmp_path)
    produce(settings, [
        ticket("leaving", 1, 2, LEAVING, "Next steps"),
        ticket("connector", 1, 1, CONNECTOR[0], "Pipedrive"),
        ticket("connector", 2, 4, CONNECTOR[1], "Re: Pipedrive"),
        ticket("connector", 3, 8, CONNECTOR[2], "still broken"),
        ticket("berlin", 1, 3, GERMAN, "Export"),
        ticket("munich", 1, 3, GERMAN_CALM, "Frage"),
    ])
    run_kafka(settings, exit_at_end=True, epoch_seconds=1, recovery_dir=tmp_path)

    alerts = alerts_by(settings)
    leaving = alerts.get(("leaving", "cancellation-intent"))
    assert leaving, f"no cancellation alert; alerts: {sorted(alerts)}"
    assert leaving[0]["signal"] == "churn_risk"

    repeat = alerts.get(("connector", "repeat-unresolved"))
    assert repeat, f"no repeat-unresolved alert; alerts: {sorted(alerts)}"
    assert [e["id"] for e in repeat[0]["evidence"]] == [
        "generic:connector-1", "generic:connector-2", "generic:connector-3"]

    berlin = alerts.get(("berlin", "ticket-frustration-gate"))
    assert berlin, f"no frustration alert for the German ticket; alerts: {sorted(alerts)}"
    assert berlin[0]["score"] >= 50
    assert not any(account == "munich" for account, _ in alerts), "a calm question alerts nobody"
    evidence = berlin[0]["evidence"][0]
    model = evidence["model"]
    assert model["words"]["frustration"], "the alert says which words drove the score"
    assert model["nearest"] and model["confidence"]["frustration"] >= 0.5
