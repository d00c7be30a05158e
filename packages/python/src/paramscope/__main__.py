"""`python -m paramscope check package.module:factory`: see `paramscope.check.main`."""

import sys

from .check import main

USAGE = "usage: python -m paramscope check package.module:factory [--example-json ...] [--json]"

if len(sys.argv) < 2 or sys.argv[1] != "check":
    print(USAGE, file=sys.stderr)
    print("(to write a structure file: python -m paramscope.export --help)", file=sys.stderr)
    sys.exit(2)
sys.exit(main(sys.argv[2:]))
