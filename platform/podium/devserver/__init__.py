"""Podium on one machine in one command: ``manage.py podium_run`` (what ``make run`` ends with)
and the small supervisor that keeps the web server, the worker and beat together."""
