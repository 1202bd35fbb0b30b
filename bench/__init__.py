"""Load harness and benchmarks (test L1, `make bench-ledger`); not part of the ``patron`` package."""
