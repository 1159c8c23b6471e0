"""Stable codes of the kernels app: refusals of a launch or a download, and why a run failed."""

from enum import StrEnum


class KernelRefusal(StrEnum):
    NOT_ALLOWED = "kernel_not_allowed"
    QUOTA_REACHED = "kernel_quota_reached"
    BAD_CONFIG = "kernel_bad_config"
    UNKNOWN_BASELINE = "kernel_unknown_baseline"
    NO_CODE = "kernel_no_code"
    NOT_FOUND = "kernel_not_found"
    NOT_PUBLISHED = "kernel_not_published"
    FINISHED = "kernel_finished"
    NO_SUCH_OUTPUT = "kernel_no_such_output"
    DISQUALIFIED = "kernel_team_disqualified"
    TOO_MANY_RUNS = "kernel_too_many_runs"
    LIMIT_TOO_HIGH = "kernel_limit_too_high"
    # the community: votes, comments, copies
    OWN_KERNEL = "kernel_own_vote"
    COMMENT_EMPTY = "kernel_comment_empty"
    COMMENT_TOO_LONG = "kernel_comment_too_long"
    COMMENT_NOT_FOUND = "kernel_comment_not_found"
    NOT_YOUR_COMMENT = "kernel_comment_not_yours"


class KernelFailure(StrEnum):
    """Why a run ended as failed: one class each, shown to whoever may see the run."""

    TIMEOUT = "timeout"  # past its wall-clock or CPU-time limit: killed
    MEMORY = "memory"  # exceeded its memory limit (MemoryError, CUDA out of memory)
    EXCEPTION = "exception"  # raised an exception: its traceback is in the log and the detail
    OUTPUT_NOT_FOUND = "output_not_found"  # exited 0 without writing submission.csv
    OUTPUT_TOO_LARGE = "output_too_large"  # wrote past its output-size limit
    OUTPUT_REFUSED = "output_refused"  # submission.csv is not a valid submission, or was refused
    CANCELLED = "cancelled"
    ABANDONED = "abandoned"  # its worker died, and every retry too
    SANDBOX_ERROR = "sandbox_error"  # the sandbox could not start it (operators' side)
    SANDBOX_UNAVAILABLE = "sandbox_unavailable"  # no OS boundary on this worker: nothing ran
    PROCESS_LIMIT = "process_limit"  # tried to start more processes or threads than allowed
    DISK_FULL = "disk_full"  # filled its work folder, /tmp or /dev/shm (each a sized tmpfs)
    UNSAFE_OUTPUT = "unsafe_output"  # left a link, device or FIFO where Podium reads a file
    QUOTA_EXCEEDED = "quota_exceeded"  # the team's compute hours ran out while it ran
