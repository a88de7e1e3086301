"""``python -m flaim`` runs the command line, with the same exit status as ``flaim``."""

import sys

from flaim.cli import main

sys.exit(main())
