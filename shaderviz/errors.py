"""The one exception type that reaches the user as a single line (exit code 2)."""


class UserError(Exception):
    """Bad input from the user: files, presets, --fx strings, sizes.

    The CLI prints ``str(err)`` on one line and exits with status 2; no traceback.
    """
