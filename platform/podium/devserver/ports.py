"""Is the port ``make run`` wants free, and if not, which one near it is?

Standard library only: ``make run`` runs it with the system Python before the first start's
install (``python -m podium.devserver.ports --port 8000``), so a taken port is said in one line
at once instead of after minutes of installing; ``podium_run`` asks again before it starts.
"""

from __future__ import annotations

import argparse
import socket
import sys

SEARCH = 50  # ports tried above a taken one before asking the system for any free port


def port_free(host: str, port: int) -> bool:
    """Whether a server could listen on ``host:port`` now: bound as gunicorn binds it
    (SO_REUSEADDR), so a port held only by connections closing (TIME_WAIT) counts as free."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError:
            return False
    return True


def free_port_near(host: str, port: int) -> int:
    """The first free port above ``port`` (probed, not guessed), else any the system gives."""
    for candidate in range(port + 1, min(port + SEARCH, 65535) + 1):
        if port_free(host, candidate):
            return candidate
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host.strip("[]"), 0))
        return probe.getsockname()[1]


def port_taken(host: str, port: int) -> str | None:
    """None when ``port`` is free; else the one line that says so and names a free port."""
    if port_free(host, port):
        return None
    other = free_port_near(host, port)
    return (
        f"Port {port} on {host} is in use by another program. Port {other} is free: "
        f"make run PORT={other} (or PODIUM_PORT={other} make run)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    taken = port_taken(args.host, args.port)
    if taken:
        print(taken, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
