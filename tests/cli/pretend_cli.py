"""`safemap` at the test's pretend instant: what `tests.cli.test_cli.run` starts under --pretend-now, so a
command a dated test runs lives on the test's day, not on today (its clock travels there and ticks on)."""

import os
import sys
from datetime import datetime

import time_machine


def main() -> int:
    time_machine.travel(datetime.fromisoformat(os.environ["SAFEMAP_TEST_NOW"]), tick=True).start()
    from api.cli import main as safemap

    return safemap()


if __name__ == "__main__":
    sys.exit(main())
