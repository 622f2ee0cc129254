"""`python -m bot <command>`: check, serve, console, run, audit, sandbox, demo."""

from bot.cli import main

raise SystemExit(main())
