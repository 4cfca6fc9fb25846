"""cuewire's development tooling, kept out of the runtime package.

The sample world (:mod:`cuewire_dev.sample`), the load generator
(:mod:`cuewire_dev.loadtest`, ``cuewire loadtest``), the demo
(:mod:`cuewire_dev.demo`, ``make demo``), the evaluations of the ticket model
(:mod:`cuewire_dev.evaluate`, ``make eval``) and the local Kafka and Redis
servers (:mod:`cuewire_dev.servers`, ``make up``, and the test suite's). They
are clients of the flow: they import cuewire, never the other way round.
"""
