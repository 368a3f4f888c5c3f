"""The sandbox's listening socket yields connections with TCP_NODELAY under asyncio.

Without it every loopback response waited for a delayed ACK (~40 ms a call).
"""

from __future__ import annotations

import asyncio
import socket

from lighthouse_mcp.server.cli.sandbox import listening_socket


def test_accepted_connections_have_nodelay() -> None:
    async def scenario() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            raw = writer.get_extra_info("socket")
            seen.set_result(raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        sock = listening_socket("127.0.0.1", 0)
        server = await asyncio.start_server(on_connect, sock=sock)
        port = sock.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        value = await asyncio.wait_for(seen, 5)
        writer.close()
        server.close()
        await server.wait_closed()
        return value

    assert asyncio.run(scenario()) != 0
