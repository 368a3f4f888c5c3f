"""Serve the approval page on a loopback port of its own (stdio, where the server has
no HTTP app to mount it in)::

    async with ApprovalServer(service) as running:   # binds 127.0.0.1, any free port
        ...                                           # service.available is now True

Uvicorn runs inside the caller's event loop and task group, without its access log
(request paths hold the secret link token), without its logging setup and without
taking over SIGINT/SIGTERM from the MCP server. While it runs, the control file for
``lighthouse-mcp approvals`` exists (control.py).
"""

from __future__ import annotations

import contextlib
import secrets
import socket
from collections.abc import Generator
from pathlib import Path
from types import TracebackType

import anyio
import uvicorn
from anyio.abc import TaskGroup

from lighthouse_mcp.server.approvals.control import write_control
from lighthouse_mcp.server.approvals.page import approval_app
from lighthouse_mcp.server.approvals.service import ApprovalService


class _EmbeddedServer(uvicorn.Server):
    """Uvicorn without its signal handlers: the host process owns Ctrl-C."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _loopback_hosts(host: str, port: int) -> frozenset[str]:
    names = {host, "127.0.0.1", "localhost"} if host != "::1" else {"[::1]", "localhost"}
    return frozenset(f"{name}:{port}" for name in names)


class ApprovalServer:
    """The page and the terminal endpoint on ``host:port`` (port 0: any free one)."""

    def __init__(
        self,
        service: ApprovalService,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        control_folder: Path | None = None,
        write_control_file: bool = True,
    ) -> None:
        if host not in ("127.0.0.1", "::1"):
            raise ValueError("the approval page is served on loopback only")
        self.service = service
        self.host = host
        self.port = port
        self._control_folder = control_folder
        self._write_control = write_control_file
        self._control_path: Path | None = None
        self._server: _EmbeddedServer | None = None
        self._tg: TaskGroup | None = None

    def __repr__(self) -> str:
        return f"ApprovalServer(host={self.host!r}, port={self.port})"

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def __aenter__(self) -> ApprovalServer:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(64)
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        control_secret = secrets.token_urlsafe(32)
        app = approval_app(
            self.service,
            control_secret=control_secret,
            allowed_hosts=_loopback_hosts(self.host, self.port),
        )
        config = uvicorn.Config(
            app,
            log_config=None,
            access_log=False,
            lifespan="off",
            log_level="warning",
            server_header=False,
        )
        server = self._server = _EmbeddedServer(config)
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        self._tg.start_soon(server.serve, [sock])
        try:
            with anyio.fail_after(10):
                while not server.started:
                    await anyio.sleep(0.01)
        except BaseException as exc:
            server.should_exit = True
            await self._tg.__aexit__(type(exc), exc, exc.__traceback__)
            self._tg = None
            raise
        if self._write_control:
            self._control_path = write_control(
                self.base_url, control_secret, folder=self._control_folder
            )
        self.service.attach(self.base_url)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.service.detach()
        if self._control_path is not None:
            self._control_path.unlink(missing_ok=True)
            self._control_path = None
        if self._server is not None:
            self._server.should_exit = True
        if self._tg is not None:
            await self._tg.__aexit__(exc_type, exc, tb)
            self._tg = None


__all__ = ["ApprovalServer"]
