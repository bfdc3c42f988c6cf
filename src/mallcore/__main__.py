"""``python -m mallcore`` runs the command line."""

from mallcore.cli import main

raise SystemExit(main())
