"""The data: the VADER ground truth (fetched once, checked by SHA-256) and the support-style set."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console

from cuewire_dev.checkout import ROOT
from state.cache_root import cache_root

SUPPORT_SET = ROOT / "tests" / "data" / "support_tickets.jsonl"

VADER_VERSION = "3.3.2"
VADER_SDIST = f"vaderSentiment-{VADER_VERSION}.tar.gz"
VADER_SHA256 = "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9"
GROUND_TRUTH_ARCHIVE = f"vaderSentiment-{VADER_VERSION}/additional_resources/hutto_ICWSM_2014.tar.gz"
DOMAINS = {
    "tweets": "tweets_GroundTruth.txt",
    "movies": "movieReviewSnippets_GroundTruth.txt",
    "amazon": "amazonReviewSnippets_GroundTruth.txt",
    "nyt": "nytEditorialSnippets_GroundTruth.txt",
}

console = Console()


def cache_dir() -> Path:
    return cache_root() / "vader"


def fetch_vader_sdist(directory: Path | None = None) -> Path:
    """The vaderSentiment source distribution, downloaded with pip once and checked by SHA-256."""
    directory = directory or cache_dir()
    target = directory / VADER_SDIST
    if target.exists() and _sha256(target) == VADER_SHA256:
        return target
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cuewire-vader-") as tmp:
        console.print(f"downloading {VADER_SDIST} with pip (once; cached in {directory}) …")
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary",
             ":all:", f"vaderSentiment=={VADER_VERSION}", "-d", tmp],
            check=True,
        )
        downloaded = Path(tmp) / VADER_SDIST
        digest = _sha256(downloaded)
        if digest != VADER_SHA256:
            raise RuntimeError(f"{VADER_SDIST} has SHA-256 {digest}, expected {VADER_SHA256}")
        shutil.move(str(downloaded), target)
    return target


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True, slots=True)
class Rated:
    """One human-rated sentence of the VADER ground truth."""

    domain: str
    mean_rating: float
    text: str


def load_ground_truth(sdist: Path) -> list[Rated]:
    """Every rated sentence of the four ground-truth files inside the sdist's nested archive."""
    with tarfile.open(sdist) as outer:
        member = outer.extractfile(GROUND_TRUTH_ARCHIVE)
        if member is None:
            raise RuntimeError(f"{sdist} has no {GROUND_TRUTH_ARCHIVE}")
        inner_bytes = member.read()
    rows: list[Rated] = []
    with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
        for domain, name in DOMAINS.items():
            handle = inner.extractfile(f"hutto_ICWSM_2014/{name}")
            if handle is None:
                raise RuntimeError(f"the ground-truth archive has no {name}")
            for line in handle.read().decode("utf-8", errors="replace").splitlines():
                parts = line.split("\t")
                if len(parts) < 3 or not parts[2].strip():
                    continue
                rows.append(Rated(domain, float(parts[1]), "\t".join(parts[2:]).strip()))
    return rows


def load_support_set(path: Path = SUPPORT_SET) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
