"""The demo data set loaded by ``patron demo`` (and ``make run`` on an empty database)."""

from patron.demo.dataset import DEFAULT_COUNT, DEFAULT_SEED, DemoSummary, create_demo_users, load_demo

__all__ = ["DEFAULT_COUNT", "DEFAULT_SEED", "DemoSummary", "create_demo_users", "load_demo"]
