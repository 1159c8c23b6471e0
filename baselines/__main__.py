"""``python -m baselines run CONFIG.yaml --data DIR --out DIR [--set epochs=3 ...]``;
``python -m baselines list``: the bundled configs."""

from __future__ import annotations

import argparse
import sys

from baselines.config import ConfigError, bundled_configs, load_config, resolve_config_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m baselines", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="train, validate and write submission.csv")
    run_parser.add_argument("config", help="a YAML file, or the name of a bundled config")
    run_parser.add_argument("--data", required=True, help="folder with the competition's files")
    run_parser.add_argument("--out", required=True, help="where submission.csv and logs go")
    run_parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value, e.g. --set epochs=3 --set optimizer.lr=0.01",
    )
    commands.add_parser("list", help="the bundled configs")
    args = parser.parse_args(argv)
    if args.command == "list":
        print("\n".join(bundled_configs()))
        return 0
    try:
        config = load_config(args.config, args.set)
        path = resolve_config_path(args.config)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    from baselines.runner import run  # torch is imported only for a run

    run(config, args.data, args.out, extra_code=[path])
    return 0


if __name__ == "__main__":
    sys.exit(main())
