"""One module per group of commands; each has ``register(commands, common)`` that adds its
argparse subcommands (``common`` is the parent parser with the options every command takes)
and sets ``handler(args, context)`` on each."""
