"""``python -m cuewire`` is the ``cuewire`` command."""

from cuewire.cli import app

app()
