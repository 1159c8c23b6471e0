"""Podium: a self-hosted machine-learning competition platform."""
