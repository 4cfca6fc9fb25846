"""Benchmarks of the cuewire flow against the engine's own ceiling (``make bench``).

``python -m bench`` starts its own Kafka and Redis on loopback and measures, on
one broker, one input and in one run: a bare confluent-kafka loop, a Bytewax
passthrough flow, and the full flow (1 worker, 2 workers, 2 processes); then
event→alert latency at a fixed offered rate, and optionally a soak. Results go
to ``bench/results/``; BENCHMARKS.md reports them.
"""
