"""A helpdesk status change closes or reopens its ticket; governance tracks the frustrated ones."""

from datetime import UTC, datetime

from config.rules import load_rules
from operators.records import Ticket
from operators.score import Score
from operators.signals import SignalTable
from operators.ticket_status import STATUS_SIGNAL, signals_of_ticket, status_updates

AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
TABLE = SignalTable.from_rules(load_rules())
QUIET = Score(10, None, None, None, 0.5)


def table() -> SignalTable:
    return TABLE


def update(status: str | None, kind: str = "updated", body: str = "") -> Ticket:
    return Ticket("rec-9", "zendesk:9", "zendesk", kind, "", body, AT, status=status)  # type: ignore[arg-type]


def test_a_status_change_to_solved_closed_or_resolved_closes_the_ticket() -> None:
    for status in ("solved", "closed", "resolved"):
        [signal] = signals_of_ticket(update(status), QUIET, "acct_42", table())
        assert signal.name == STATUS_SIGNAL and signal.open is False
        assert (signal.key, signal.at) == ("zendesk:9", AT)


def test_any_other_status_change_leaves_it_open() -> None:
    for status in ("open", "pending", None):
        [signal] = signals_of_ticket(update(status), QUIET, "acct_42", table())
        assert signal.open is True


def test_a_new_ticket_and_its_status_change_agree_on_what_closed_means() -> None:
    """Both the ticket's own signals and a status change read one list of closed statuses."""
    for status, expected in (("resolved", False), ("pending", True)):
        [change] = signals_of_ticket(update(status), QUIET, "acct_42", table())
        [*raised] = signals_of_ticket(update(status, kind="created", body="Nothing works"), QUIET, "acct_42",
                                      table())
        assert change.open is expected and {s.open for s in raised} == {expected}


def test_a_new_ticket_raises_its_own_signals_not_a_status_one() -> None:
    found = signals_of_ticket(update(None, kind="created", body="Nothing works"), QUIET, "acct_42", table())
    assert found and STATUS_SIGNAL not in {s.name for s in found}
    assert signals_of_ticket(update(None, kind="created"), QUIET, "acct_42", table()) == []  # no text


def test_status_updates_say_which_tickets_are_frustrated_and_open() -> None:
    frustrated = signals_of_ticket(update(None, kind="created", body="Data lost again"),
                                   Score(90, None, None, None, 0.9), "acct_42", table())
    closing = signals_of_ticket(update("solved"), QUIET, "acct_42", table())
    updates = status_updates([*frustrated, *closing], frustrated_at=65)
    assert updates == [("acct_42", "zendesk:9", True, True, AT), ("acct_42", "zendesk:9", False, False, AT)]
    assert status_updates(frustrated, frustrated_at=95)[0][2] is False
