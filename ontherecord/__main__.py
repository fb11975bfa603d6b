"""Run the command line as `python -m ontherecord`."""

from ontherecord.cli import main

raise SystemExit(main())
