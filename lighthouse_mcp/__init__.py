"""tencent-lighthouse-mcp: an MCP server for Tencent Cloud Lighthouse.

The layers, each importing only those below it:

- ``catalog``: the API catalogs (generated JSON, hand-kept overlay) and the data every
  layer shares;
- ``store``: state shared across server processes (memory://, redis://), under the
  client's rate limiter;
- ``client``: signing, credentials, retries, rate limits over one httpx client;
- ``sandbox``: the local emulator of the API (shares the catalog and the signer);
- ``tools``: tool definitions built from the catalog (schemas, validation, safety);
- ``prompts``: workflow prompt texts;
- ``server``: the MCP server, its CLI, transports and confirmation gate.
"""
