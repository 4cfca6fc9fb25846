"""The ticket model's arithmetic does not depend on Python's string-hash seed.

Every process of a deployment (and each run of the tests) trains or loads the same
start-up model and must score a ticket the same: a set's iteration order changes with
``PYTHONHASHSEED``, and features summed in that order made the trained weights differ
by up to 5e-4 between processes. The representation and the problem fingerprint's
word buckets are what training sums; here they are computed under two seeds and must
agree to the bit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PROBE = """
import hashlib
import numpy as np
from config.taxonomy import load_taxonomy
from operators.problem_vector import distinctive_words
from operators.ticket_repr import Representer

texts = ["Our Salesforce sync has been broken since Monday and nobody answers",
         "Wir möchten kündigen und alle Datensätze exportieren, bevor der Vertrag endet",
         "¿Cómo uso la API para crear contactos? La documentación no lo explica",
         "La facture de ce mois nous a été débitée deux fois, merci de rembourser"]
representer, digest = Representer(load_taxonomy()), hashlib.sha256()
for text in texts:
    rep = representer.represent(text)
    for part in (rep.rows, rep.values, rep.term_of, rep.dense):
        digest.update(np.ascontiguousarray(part).tobytes())
    rarity = {w: 1.0 + len(w) / 7 for w in rep.words}
    digest.update(distinctive_words(rep.words, rarity, 2.0, {}).tobytes())
print(digest.hexdigest())
"""


def digest_under(seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return done.stdout.decode().strip()


def test_a_ticket_is_represented_bit_for_bit_alike_under_any_hash_seed() -> None:
    assert digest_under("1") == digest_under("2") == digest_under("3")
