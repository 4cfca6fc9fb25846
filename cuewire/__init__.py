"""cuewire: support signals to customer-success alerts, in seconds."""

__version__ = "0.1.0"
