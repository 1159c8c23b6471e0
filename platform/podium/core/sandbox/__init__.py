"""The one sandbox for code Podium did not write: kernels and organizer metric files.

``run`` executes a program behind bubblewrap (``boundary.py``); ``hostile`` reads what it leaves;
``probe`` says at a worker's start whether the boundary can be set up here.
"""

from podium.core.sandbox.boundary import (
    Limits,
    Outcome,
    SandboxUnavailable,
    bwrap_path,
    run,
)
from podium.core.sandbox.hostile import read_capped, tree_bytes
from podium.core.sandbox.probe import Probe, probe

__all__ = ["Limits", "Outcome", "Probe", "SandboxUnavailable", "bwrap_path", "probe",
           "read_capped", "run", "tree_bytes"]
