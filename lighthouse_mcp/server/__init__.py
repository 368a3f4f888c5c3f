"""The MCP server: the call pipeline, its features (gate, paging, waits, prompts,
resources), the transports and the command line (server/cli/)."""
