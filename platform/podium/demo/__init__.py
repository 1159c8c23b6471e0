"""The demo: four competitions built from scikit-learn's bundled datasets, seeded idempotently by
``manage.py podium_seed_demo`` (and by ``podium_run`` unless told not to)."""
