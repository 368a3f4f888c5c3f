"""`python -m lighthouse_mcp.server` runs the same CLI as `lighthouse-mcp`."""

from lighthouse_mcp.server.cli import main

raise SystemExit(main())
