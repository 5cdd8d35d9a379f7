"""`python -m carepress`: the same as the `carepress` command."""

from carepress.cli import run

run()
