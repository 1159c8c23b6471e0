"""The baselines' training runner.

commands:
  run      train on a competition's files (all the config's stages), validate with its metric,
           write OUT/submission.csv and the logs under OUT/logs/<hyperparameters>-<hash>/
  lr-find  sweep the learning rate exponentially on a copy of the model; write
           OUT/lr_find.csv, .svg and .json and print the suggested rate
  list     the bundled configs

A config is a YAML file (or a bundled config's name); see docs/baselines.md.
"""

from __future__ import annotations

import argparse
import sys

from baselines.config import ConfigError, bundled_configs, load_config, resolve_config_path

EXAMPLES = """examples:
  python -m baselines run digits_cnn --data data/digits --out runs/ --set epochs=3
  python -m baselines run my.yaml --data data/digits --out runs/ --set stages.0.epochs=2
  python -m baselines lr-find digits_cnn --data data/digits --out runs/lr
"""


def _config_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", help="a YAML file, or the name of a bundled config")
    parser.add_argument("--data", required=True, help="folder with the competition's files")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value, e.g. --set epochs=3 --set optimizer.lr=0.01 "
        "--set stages.1.epochs=5",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m baselines",
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser(
        "run",
        help="train (every stage), validate and write submission.csv",
        description="Train every stage of the config, validate, write OUT/submission.csv and "
        "the logs (config, code, metrics, checkpoints, SWA figures) under OUT/logs/.",
    )
    _config_arguments(run_parser)
    run_parser.add_argument("--out", required=True, help="where submission.csv and logs go")
    lr_parser = commands.add_parser(
        "lr-find",
        help="sweep the learning rate; write the curve and a suggested rate",
        description="Train a copy of the config's model for STEPS batches with the rate growing "
        "exponentially from START to END (stopping when the smoothed loss diverges); write "
        "OUT/lr_find.csv, OUT/lr_find.svg and OUT/lr_find.json with the rate where the smoothed "
        "loss falls fastest.",
    )
    _config_arguments(lr_parser)
    lr_parser.add_argument("--out", required=True, help="where the curve and the rate go")
    lr_parser.add_argument("--stage", help="the stage whose optimizer and freeze to use")
    lr_parser.add_argument("--steps", type=int, default=300, help="batches (default 300)")
    lr_parser.add_argument("--start", type=float, default=1e-7, help="first rate (1e-7)")
    lr_parser.add_argument("--end", type=float, default=10.0, help="last rate (10)")
    commands.add_parser("list", help="the bundled configs")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "list":
        print("\n".join(bundled_configs()))
        return 0
    try:
        config = load_config(args.config, args.set)
        path = resolve_config_path(args.config)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    # torch is imported only for a run; a config error found while running (a file, a class, a
    # module name) raises, as a data error does: the kernel's log shows it with its traceback.
    if args.command == "lr-find":
        from baselines.lr_finder import find_lr

        find_lr(
            config,
            args.data,
            args.out,
            stage_name=args.stage,
            start_lr=args.start,
            end_lr=args.end,
            steps=args.steps,
        )
        return 0
    from baselines.runner import run

    run(config, args.data, args.out, extra_code=[path], config_dir=path.parent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
