"""Installed as ``sitecustomize`` in every kernel's Python (copied into the sandbox): an audit
hook (PEP 578) that refuses, inside the interpreter,

* reading anything outside the allowed roots (the run's folder, the Python installation, system
  libraries), and always the denied ones (answer keys, uploads, the data folder);
* writing anything outside the run's folder;
* network sockets (connect, bind, send, name lookups; Unix sockets stay allowed);
* starting programs (subprocess, os.system, exec, spawn): a shell would not be audited;
* loading native libraries from outside the allowed roots.

It also records an uncaught exception's type and traceback in ``.podium/exception.json``, which
the worker reads to say why a run failed.

This is a Python-level guard, not a security boundary: native code can bypass it. Where
bubblewrap is installed the kernel also runs in its own mount, network and pid namespaces, which
do not depend on the kernel's cooperation. Standard library only: nothing else is importable here.
"""

import json
import os
import sys
import traceback


def _roots(name):
    return tuple(os.path.realpath(p) for p in os.environ.get(name, "").split(os.pathsep) if p)


_WORKDIR = os.path.realpath(os.environ.get("PODIUM_KERNEL_WORKDIR", os.getcwd()))
_READ = _roots("PODIUM_KERNEL_READ_ROOTS") + (_WORKDIR,)
_DENY = _roots("PODIUM_KERNEL_DENY_ROOTS")
_WRITE = (_WORKDIR, "/dev/null")
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_BLOCKED_EVENTS = (
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.startfile",
    "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
    "socket.gethostbyaddr",
)
_SOCKET_EVENTS = ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg")
_realpath, _fspath, _join = os.path.realpath, os.fspath, os.path.join
_AF_UNIX = 1  # socket.AF_UNIX on Linux and macOS (importing inside the hook would recurse)


def _under(path, roots):
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def _path(value):
    if isinstance(value, int) or value is None:
        return None
    try:
        value = _fspath(value)
    except TypeError:
        return None
    if isinstance(value, bytes):
        value = value.decode(errors="surrogateescape")
    return _realpath(value)


def _check_path(path, write):
    if path is None or _under(path, (_WORKDIR,)):  # the run's own folder, wherever it lies
        return
    if _under(path, _DENY) or not _under(path, _WRITE if write else _READ):
        raise PermissionError(f"kernel sandbox: {'writing' if write else 'reading'} {path} "
                              "is not allowed")


def _hook(event, args):
    if event == "open":
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        write = bool(mode and any(c in str(mode) for c in "wax+")) or bool(
            isinstance(flags, int) and flags & _WRITE_FLAGS)
        _check_path(_path(path), write)
    elif event in ("os.listdir", "os.scandir"):
        _check_path(_path(args[0] if args else "."), False)
    elif event in ("os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.symlink",
                   "os.link", "os.truncate", "shutil.rmtree"):
        _check_path(_path(args[0] if args else None), True)
    elif event == "ctypes.dlopen":
        name = args[0] if args else None
        if isinstance(name, (str, bytes)) and "/" in (name if isinstance(name, str) else "/"):
            _check_path(_path(name), False)
    elif event.startswith(_BLOCKED_EVENTS):
        raise PermissionError(f"kernel sandbox: {event} is not allowed")
    elif event in _SOCKET_EVENTS:
        sock = args[0] if args else None
        if getattr(sock, "family", None) != _AF_UNIX:
            raise PermissionError(f"kernel sandbox: network access ({event}) is not allowed")


def _excepthook(kind, value, tb, _previous=sys.excepthook):
    try:
        folder = _join(_WORKDIR, ".podium")
        record = {"type": kind.__name__, "module": kind.__module__, "message": str(value)[:2000],
                  "traceback": "".join(traceback.format_exception(kind, value, tb))[-20000:]}
        with open(_join(folder, "exception.json"), "w") as out:
            json.dump(record, out)
    except Exception:  # noqa: BLE001 - recording it must never hide the exception itself
        pass
    _previous(kind, value, tb)


if os.environ.get("PODIUM_KERNEL_WORKDIR"):
    sys.excepthook = _excepthook
    sys.addaudithook(_hook)
