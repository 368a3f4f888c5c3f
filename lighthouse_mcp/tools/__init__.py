"""What the server says about each action, from the catalog: tool definitions, schemas,
validation, safety classes, previews, waits, paging; nothing here knows about MCP sessions."""
