"""``python -m cuewire_dev.sweep``: which guides it sweeps."""

from __future__ import annotations

import pytest
from rich.table import Table

from cuewire_dev import sweep


@pytest.fixture
def swept(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    names: list[str] = []

    def table(name: str) -> Table:
        names.append(name)
        return Table()

    monkeypatch.setattr(sweep, "table", table)
    return names


def test_no_guide_named_sweeps_all_four(swept: list[str]) -> None:
    assert sweep.main([]) == 0
    assert swept == ["cv", "proxy", "dev", "writers"]


def test_the_guides_named_are_swept_in_that_order(swept: list[str]) -> None:
    assert sweep.main(["writers", "cv"]) == 0
    assert swept == ["writers", "cv"]


def test_an_unknown_guide_is_refused(swept: list[str]) -> None:
    with pytest.raises(SystemExit):
        sweep.main(["test"])
    assert swept == []
