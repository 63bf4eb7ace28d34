"""`python -m grassroots ...` is the `grassroots` command."""

from grassroots.cli import main

raise SystemExit(main())
