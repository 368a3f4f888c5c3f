"""Lines the SDK's stdio reader cannot parse get a JSON-RPC -32700 answer, over a real
``lighthouse-mcp --sandbox`` subprocess, and the session goes on.

Without the answer a client waits for ever on that request (mcp 2.x drops the line;
docs/upstream/mcp-stdio-parse-error.md). When a lenient parse still finds the request's
id, the error carries it, so the waiting request ends.
"""

from __future__ import annotations

import json

from tests.e2e.server.stdio_helpers import stdio_exchange

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "raw", "version": "0"},
    },
}


def _call(id_: int, argument: str) -> bytes:
    return (
        b'{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":'
        b'"DescribeInstances","arguments":{"Limit":%s}}}' % (id_, argument.encode())
    )


#: id -> a line that is JSON to Python's parser but not to the SDK's
BAD = {
    10: _call(10, '"\\ud800"'),  # a lone surrogate escape
    11: _call(11, "9" * 5000),  # an integer of more than 4,300 digits
    12: _call(12, "[" * 300 + "]" * 300),  # nesting 300 deep
}
#: lines with no id to be found: the answer's id is null
NO_ID = [
    b'{"jsonrpc":"2.0","id":13,"method":"tools/call","params":{"name":"DescribeIn',
    b"[" * 300 + b"]" * 300,
]


def test_unparseable_lines_get_parse_errors_and_the_session_continues() -> None:
    lines = [
        json.dumps(INIT).encode(),
        b'{"jsonrpc":"2.0","method":"notifications/initialized"}',
        *BAD.values(),
        *NO_ID,
        b'{"jsonrpc":"2.0","id":"last","method":"tools/list"}',
    ]
    answers, stderr, returncode = stdio_exchange(lines)
    errors = {a.get("id"): a["error"] for a in answers if "error" in a}
    for id_ in BAD:
        assert errors.get(id_, {}).get("code") == -32700, (id_, answers)
    nulls = [a for a in answers if a.get("id") is None and "error" in a]
    assert [a["error"]["code"] for a in nulls] == [-32700] * len(NO_ID), nulls
    last = [a for a in answers if a.get("id") == "last"]
    assert last and len(last[0]["result"]["tools"]) >= 108
    assert b"Traceback" not in stderr and returncode == 0, stderr[-2000:]
