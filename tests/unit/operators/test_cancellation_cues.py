"""The ``cue:cancelled`` matcher: a cancellation told as decided or done, and its look-alikes."""

from __future__ import annotations

import pytest

from config.taxonomy import load_taxonomy
from operators.cancellation_cues import CUE, told_cancelled, words_of
from operators.text_features import Featurizer

TOLD = [
    "Hi team, we have decided not to renew our contract when it ends in March.",
    "We already cancelled the subscription, please confirm.",
    "We won't be renewing next year.",
    "Wir haben den Vertrag bereits gekündigt.",
    "Hiermit kündigen wir unseren Vertrag fristgerecht zum 31.12.",
    "Wir werden das Abo nicht mehr verlängern.",
    "Hemos decidido no renovar la suscripción anual.",
    "Ya dimos de baja la cuenta de la oficina.",
    "Nous avons résilié notre abonnement hier.",
    "Nous avons décidé de ne pas renouveler le contrat.",
]
NOT_TOLD = [
    "How do I cancel the reporting add-on?",
    "We decided to renew for two more years.",
    "If this isn't fixed by Monday we won't renew.",
    "We haven't decided to cancel yet, just asking about the process.",
    "The sync did not continue after the update.",
    "Wenn das nicht bald funktioniert, kündigen wir.",
    "¿Cómo puedo cancelar una cita de un cliente?",
    "Pouvez-vous prolonger notre essai ?",
]


@pytest.mark.parametrize("text", TOLD)
def test_a_decided_or_done_cancellation_is_told(text: str) -> None:
    assert told_cancelled(words_of(text))


@pytest.mark.parametrize("text", NOT_TOLD)
def test_a_question_a_renewal_a_threat_or_a_negated_decision_is_not(text: str) -> None:
    assert not told_cancelled(words_of(text))


def test_the_cue_stays_within_its_sentence() -> None:
    assert not told_cancelled(words_of("We decided. The export is slow. Cancel my meeting?"))
    assert told_cancelled(words_of("The export is slow. We decided to cancel."))


def test_the_featurizer_sets_the_cue_only_when_told() -> None:
    featurizer = Featurizer(load_taxonomy())
    assert featurizer.extract("Wir haben gekündigt.").values.get(CUE) == 1.0
    assert CUE not in featurizer.extract("Wie kündige ich einen Termin?").values
