"""Text from outside (a kernel's log, a metric's error, a traceback) on its way to the database."""

REPLACEMENT = "\ufffd"


def storable(text: str) -> str:
    """``text`` with its NUL characters replaced: PostgreSQL's text columns cannot hold them
    (the write fails), and untrusted code prints whatever it likes."""
    return text.replace("\x00", REPLACEMENT) if "\x00" in text else text
