"""The ``podium`` command line: a client of a Podium server's REST API (``/api/v1``).

It needs only ``requests``; nothing of the server (no Django) is imported.
"""

__version__ = "0.1.0"
