"""``python -m cuewire_dev.eval_sentiment``: the frustration head on sentence-level sentiment data.

Prequential (predict, then learn) evaluation, starting each run from the
shipped day-one model, on human-labelled text:

* **the VADER ground truth** (Hutto & Gilbert, ICWSM 2014): 23.7k sentences —
  tweets, movie-review and Amazon product-review snippets, New York Times
  editorial snippets — each rated −4..+4 by about twenty people. It ships
  inside the ``vaderSentiment`` 3.3.2 source distribution, which this module
  downloads with pip into ``~/.cache/cuewire/vader`` (checked against its
  SHA-256) the first time; nothing of it is committed. All domains
  interleaved (shuffled with a fixed seed), then the Amazon snippets alone
  (the closest to support text).
* **the support-style set** in ``tests/data/support_tickets.jsonl``:
  hand-written tickets labelled frustrated or not, with signal and risk.

**Negative vs not negative.** A sentence counts as negative (the
"frustrated" label) when its mean human rating is **≤ −0.5**: half a scale
point below neutral, beyond where rater noise puts neutral sentences; means
between −0.5 and 0 are treated as neutral. The same run also reports the
thresholds 0 and −1 so the choice can be judged.

**Measures.** ROC AUC of the calibrated score (unrounded, so ranks are not
tied by rounding), macro-F1 of the decision "score ≥ 50" (the gate's lowest
threshold), and a learning curve (AUC per tenth of the stream). The
baseline, in the same run and on the same rows: VADER's compound score
(negated, so higher means more negative), deciding "negative" at
compound ≤ −0.05 as VADER's authors recommend.

Results: ``bench/results/eval-sentiment.json`` and a Markdown fragment
``bench/results/eval-sentiment.md`` for BENCHMARKS.md. The last line printed is
``frustration_auc=<x> vader_auc=<y> n=<rows>`` for the all-domains run.

The parts: :mod:`.ground_truth` (the data), :mod:`.measures`, :mod:`.runs`,
:mod:`.report`, and ``__main__`` (the command).
"""

from cuewire_dev.eval_sentiment.ground_truth import SUPPORT_SET, Rated, load_ground_truth, load_support_set
from cuewire_dev.eval_sentiment.measures import learning_curve, macro_f1, roc_auc, vader_compound
from cuewire_dev.eval_sentiment.report import RESULTS, render_markdown, render_table
from cuewire_dev.eval_sentiment.runs import Run, evaluate_ground_truth, evaluate_support, prequential

__all__ = [
    "RESULTS",
    "SUPPORT_SET",
    "Rated",
    "Run",
    "evaluate_ground_truth",
    "evaluate_support",
    "learning_curve",
    "load_ground_truth",
    "load_support_set",
    "macro_f1",
    "prequential",
    "render_markdown",
    "render_table",
    "roc_auc",
    "vader_compound",
]
