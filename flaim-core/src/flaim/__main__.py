"""``python -m flaim`` runs the command line."""

from flaim.cli import main

main()
