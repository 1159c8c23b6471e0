"""A seccomp filter for the sandbox: the kernel interfaces no kernel or metric needs, and that are
where local privilege escalations keep being found, answer EPERM.

Namespaces, an unprivileged uid and no capabilities already make most of these fail; the filter
takes the kernel code behind them out of reach too (io_uring, BPF, userfaultfd, perf events,
keyrings, ptrace between the run's own processes, mounts, module and kexec calls). Any other
architecture than x86-64 is refused outright, so the 32-bit and x32 entry points are closed.

bubblewrap loads it (``--seccomp FD``) just before it starts the supervisor, after setting
no_new_privs. The program is classic BPF over ``struct seccomp_data``, built here without
libseccomp. On a host that is not x86-64 there is no filter (``program()`` returns None).
"""

from __future__ import annotations

import errno
import platform
import struct

_AUDIT_ARCH_X86_64 = 0xC000003E
_X32_SYSCALL_BIT = 0x40000000
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_RET_K = 0x06
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_RET_KILL_PROCESS = 0x80000000

DENIED_X86_64 = {
    "ptrace": 101,
    "syslog": 103,
    "vhangup": 153,
    "pivot_root": 155,
    "acct": 163,
    "settimeofday": 164,
    "mount": 165,
    "umount2": 166,
    "swapon": 167,
    "swapoff": 168,
    "reboot": 169,
    "iopl": 172,
    "ioperm": 173,
    "init_module": 175,
    "delete_module": 176,
    "quotactl": 179,
    "lookup_dcookie": 212,
    "clock_settime": 227,
    "kexec_load": 246,
    "add_key": 248,
    "request_key": 249,
    "keyctl": 250,
    "unshare": 272,
    "perf_event_open": 298,
    "fanotify_init": 300,
    "name_to_handle_at": 303,
    "open_by_handle_at": 304,
    "setns": 308,
    "process_vm_readv": 310,
    "process_vm_writev": 311,
    "finit_module": 313,
    "kexec_file_load": 320,
    "bpf": 321,
    "userfaultfd": 323,
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "io_uring_register": 427,
    "open_tree": 428,
    "move_mount": 429,
    "fsopen": 430,
    "fsconfig": 431,
    "fsmount": 432,
    "fspick": 433,
    "mount_setattr": 442,
}


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def program() -> bytes | None:
    """The filter as bubblewrap reads it (an array of sock_filter), or None off x86-64."""
    if platform.machine() not in ("x86_64", "AMD64"):
        return None
    denied = sorted(DENIED_X86_64.values())
    # [0] arch, [1] wrong arch -> kill, [2] nr, [3] x32 -> deny, [4..] each denied nr -> deny,
    # then allow, deny, kill
    n = len(denied)
    allow_at = 4 + n
    deny_at, kill_at = allow_at + 1, allow_at + 2
    code = [
        _insn(_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        _insn(_JEQ_K, 0, kill_at - 2, _AUDIT_ARCH_X86_64),
        _insn(_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
        _insn(_JGE_K, deny_at - 4, 0, _X32_SYSCALL_BIT),
    ]
    for i, number in enumerate(denied):
        here = 4 + i
        code.append(_insn(_JEQ_K, deny_at - here - 1, 0, number))
    code += [
        _insn(_RET_K, 0, 0, _RET_ALLOW),
        _insn(_RET_K, 0, 0, _RET_ERRNO | errno.EPERM),
        _insn(_RET_K, 0, 0, _RET_KILL_PROCESS),
    ]
    return b"".join(code)
