"""The one sandbox for code Podium did not write: kernels and organizer metric files.

``run`` executes a program behind bubblewrap (``boundary.py``, the supervisor inside as PID 1,
``watch.py`` on the host side); ``hostile`` reads what it leaves; ``probe`` says at a worker's
start whether the boundary can be set up here; ``uids`` gives each run a uid of its own.
"""

from podium.core.sandbox.boundary import bwrap_path, run
from podium.core.sandbox.hostile import read_capped
from podium.core.sandbox.outcome import Limits, Outcome, SandboxUnavailable
from podium.core.sandbox.probe import Probe, probe

__all__ = [
    "Limits",
    "Outcome",
    "Probe",
    "SandboxUnavailable",
    "bwrap_path",
    "probe",
    "read_capped",
    "run",
]
