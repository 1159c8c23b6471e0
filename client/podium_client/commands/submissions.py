"""``podium submit``, ``podium submissions`` and ``podium select`` (the final selection)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from podium_client.errors import ApiError, CliError, Exit, UsageError
from podium_client.http import path_part
from podium_client.multipart import MultipartBody
from podium_client.output import note, print_json, say, score, table, terminal_width, when
from podium_client.progress import Progress, human_bytes

DONE = ("scored", "failed")
FIRST_POLL_S = 1.0
MAX_POLL_S = 10.0
UPLOAD_READ_TIMEOUT_S = 600  # the server stores and checks the whole file before it answers


def register(commands, common) -> None:
    submit = commands.add_parser(
        "submit",
        parents=[common],
        help="upload a predictions file",
        description="Upload a predictions file; it is scored in the background. With --wait, "
        "follow it until it is scored (exit 0, the result on stdout) or fails (exit 6).",
    )
    submit.add_argument("competition", metavar="COMP", help="the competition's slug")
    submit.add_argument("file", metavar="FILE", type=Path, help="CSV, or one CSV in .zip/.gz")
    submit.add_argument("-m", "--message", required=True, help="a description of this entry")
    submit.add_argument("--wait", action="store_true", help="wait until it is scored")
    submit.add_argument(
        "--timeout",
        type=float,
        default=1800,
        metavar="SECONDS",
        help="give up waiting after this long (exit 7; default 1800)",
    )
    submit.set_defaults(handler=submit_command)

    listing = commands.add_parser(
        "submissions",
        parents=[common],
        help="your team's submissions, newest first",
        description="Your team's submissions, newest first. The message column says why a "
        "submission failed, or how a scored one did; it is cut to the terminal's width "
        "(--json has it whole).",
    )
    listing.add_argument("competition", metavar="COMP", help="the competition's slug")
    listing.set_defaults(handler=submissions_command)

    select = commands.add_parser(
        "select",
        parents=[common],
        help="choose the submissions your final rank counts",
        description="Set your team's final selection to the given submission ids (replacing "
        "it); without ids, show it.",
    )
    select.add_argument("competition", metavar="COMP", help="the competition's slug")
    select.add_argument("ids", metavar="ID", type=int, nargs="*")
    select.add_argument("--clear", action="store_true", help="select none (the fallback applies)")
    select.set_defaults(handler=select_command)


def submit_command(args, context) -> int:
    path: Path = args.file
    if not path.is_file():
        raise UsageError(f"{path}: no such file.")
    if args.timeout <= 0:
        raise UsageError("--timeout must be positive.")
    slug = path_part(args.competition)
    api = context.api
    detail = api.get(f"competitions/{slug}/")
    size = path.stat().st_size
    limit = detail.get("submission_max_bytes")
    if limit and size > limit:
        raise CliError(
            f"{path} is {human_bytes(size)}; {args.competition} accepts at most "
            f"{human_bytes(limit)}."
        )
    # Not a member (or not allowed): the API's refusal now, before a large body is sent.
    api.get(f"competitions/{slug}/submissions/", params={"page_size": 1})
    with Progress(f"uploading {path.name}", size) as bar:
        body = MultipartBody({"description": args.message}, "file", path, on_read=bar.update)
        try:
            submission = api.decode(
                api.request(
                    "POST",
                    f"competitions/{slug}/submissions/",
                    data=body,
                    headers={"Content-Type": body.content_type, "Content-Length": str(len(body))},
                    timeout=(10, UPLOAD_READ_TIMEOUT_S),
                )
            )
        finally:
            body.close()
    note(f"Submission {submission['id']} received ({submission['status']}).")
    if not args.wait:
        if context.json:
            print_json(submission)
        else:
            say(
                f"Submitted: id {submission['id']}. Follow it with `podium submissions "
                f"{args.competition}`."
            )
        return 0
    submission = wait_for(api, submission, args.timeout)
    precision = detail.get("score_display_precision", 5)
    if context.json:
        print_json(submission)
    if submission["status"] == "failed":
        message = submission.get("error_message") or "no reason given"
        raise CliError(f"Submission {submission['id']} failed: {message}", Exit.SUBMISSION_FAILED)
    if not context.json:
        say(submission.get("result_message") or "Scored.")
        say(f"Public score: {score(submission.get('public_score'), precision)}")
    return 0


def wait_for(api, submission: dict, timeout: float, clock=time.monotonic, sleep=time.sleep):
    """Poll the submission, backing off from 1 s to 10 s, until it is scored or failed."""
    deadline = clock() + timeout
    started = clock()
    delay = FIRST_POLL_S
    shown = submission["status"]
    animated = sys.stderr.isatty()
    while submission["status"] not in DONE:
        left = deadline - clock()
        if left <= 0:
            if animated:
                sys.stderr.write("\n")
            raise CliError(
                f"Submission {submission['id']} is still {submission['status']} after "
                f"{timeout:g} s; see later how it went with `podium submissions "
                f"{submission.get('competition', '')}`.",
                Exit.TIMEOUT,
            )
        sleep(min(delay, left))
        delay = min(delay * 1.5, MAX_POLL_S)
        try:
            submission = api.get(f"submissions/{submission['id']}/")
        except ApiError as error:
            if error.status != 429:
                raise
            sleep(min(error.retry_after or delay, max(0.0, deadline - clock())))
            continue
        status = submission["status"]
        if animated:
            sys.stderr.write(
                f"\rsubmission {submission['id']}: {status} ({clock() - started:.0f} s)\x1b[K"
            )
            sys.stderr.flush()
        elif status != shown:
            note(f"submission {submission['id']}: {status}")
        shown = status
    if animated:
        sys.stderr.write("\n")
    return submission


def submissions_command(args, context) -> int:
    slug = path_part(args.competition)
    found = context.api.all(f"competitions/{slug}/submissions/")
    if context.json:
        print_json(found)
        return 0
    if not found:
        say("No submissions yet.")
        return 0
    precision = context.api.get(f"competitions/{slug}/").get("score_display_precision", 5)
    rows = [
        (
            s["id"],
            when(s["created_at"]),
            s["status"] + (" (late)" if s.get("is_late") else ""),
            score(s.get("public_score"), precision),
            score(s.get("private_score"), precision),
            "yes" if s.get("selected") else ("auto" if s.get("selected_automatically") else ""),
            s.get("file_name", ""),
            s.get("description", ""),
            message_of(s),
        )
        for s in found
    ]
    headers = (
        "id",
        "submitted",
        "status",
        "public",
        "private",
        "final",
        "file",
        "description",
        "message",
    )
    say(table(headers, rows, right=(0, 3, 4), width=terminal_width()))
    return 0


def message_of(submission: dict) -> str:
    """Why it failed, or the scoring's Kaggle-style result ("Your Best Entry! ..."); nothing
    while it waits."""
    if submission["status"] == "failed":
        return submission.get("error_message") or "failed (no reason given)"
    if submission["status"] == "scored":
        return submission.get("result_message") or ""
    return ""


def select_command(args, context) -> int:
    slug = path_part(args.competition)
    if args.ids and args.clear:
        raise UsageError("Give submission ids or --clear, not both.")
    path = f"competitions/{slug}/final-selection/"
    if args.ids or args.clear:
        state = context.api.put(path, {"submission_ids": list(dict.fromkeys(args.ids))})
    else:
        state = context.api.get(path)
    if context.json:
        print_json(state)
        return 0
    if not state.get("choosing"):
        say("Nothing to choose here: every team is ranked by its best private score.")
        return 0
    automatic = set(state.get("automatic") or ())
    chosen = [i for i in state["selected"] if i not in automatic]
    say(
        f"Final selection: {', '.join(map(str, chosen)) or 'none'} "
        f"({len(chosen)} of {state['limit']})."
    )
    if automatic:
        say(f"Counted until you choose: {', '.join(map(str, sorted(automatic)))} (automatic).")
    closes = when(state.get("closes_at"))
    say(f"Open until {closes}." if state.get("open") else f"Closed ({closes}).")
    return 0
