"""What a reviewer's decision teaches the ticket model: the labels they gave, and what a
"false signal" dismissal says without one.

A decision alone (approved, dismissed as not useful, snoozed) does not say
*why*, so it teaches nothing. A dismissal with reason ``false_signal`` does:
the reviewer says the alert's signal is not in the ticket, so, unless they
named the right signal themselves, the ticket teaches *no signal*
(``signal: null``, the model's "none" class). The same dismissal counts
against the rule's precision (:mod:`operators.measure_precision`: dismissed
is not useful, whatever the reason).

>>> from operators.records import Feedback
>>> lesson_of(Feedback("a1", "dismissed", {}, None, None, reason="false_signal"))
{'signal': None}
>>> lesson_of(Feedback("a1", "dismissed", {}, None, None, reason="not_useful"))
{}
>>> lesson_of(Feedback("a1", "dismissed", {"signal": "billing_issue"}, None, None, reason="false_signal"))
{'signal': 'billing_issue'}
"""

from __future__ import annotations

from typing import Any

from operators.records import Feedback

LABEL_NAMES = ("frustrated", "signal", "topic", "intents")
FALSE_SIGNAL = "false_signal"


def lesson_of(feedback: Feedback) -> dict[str, Any]:
    """The labels a feedback record teaches: those the reviewer gave, and for a
    false-signal dismissal without a signal label, no signal."""
    labels = {name: feedback.labels[name] for name in LABEL_NAMES if name in feedback.labels}
    if feedback.decision == "dismissed" and feedback.reason == FALSE_SIGNAL and "signal" not in labels:
        labels["signal"] = None
    return labels
