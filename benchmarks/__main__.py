"""`python -m benchmarks` (or `make bench`): vanilla MkDocs vs CarePress at hub scale."""

import signal
import sys

from benchmarks.run import Stopped, interrupted_exit_code, main


def _stop(signum, frame):
    raise Stopped()


signal.signal(signal.SIGTERM, _stop)
try:
    code = main()
except KeyboardInterrupt as stop:  # before the first size (the tools looked for): nothing measured
    print("benchmark: interrupted before anything was measured", file=sys.stderr)
    code = interrupted_exit_code(stop)
raise SystemExit(code)
