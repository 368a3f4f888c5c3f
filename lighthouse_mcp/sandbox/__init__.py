"""A local, stateful emulator of the Lighthouse API that verifies signatures like the service.

``Sandbox`` is the whole thing: ``sb.app`` (ASGI), ``sb.transport()`` (in-process httpx
transport), ``sb.reset()``, ``sb.requests`` (what reached it), ``sb.faults`` (rules of
:class:`Fault`). ``ConnectionDropped`` is how an injected dropped connection shows in a
server's log.

Layers, each importing only those below it: ``service.py`` (the ``Sandbox``) puts
together ``protocol/`` (HTTP, request shapes, signatures, parameter checks),
``families/`` (one module per resource family) and ``engine/`` (state, registry,
lifecycles, persistence, faults, seed data); all of them read the catalog.
"""

from __future__ import annotations

from .engine.faults import Fault
from .engine.persistence import StateFileError
from .protocol.app import ConnectionDropped
from .protocol.outcome import RecordedRequest
from .service import DEFAULT_REQUEST_LOG_SIZE, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Sandbox

__all__ = [
    "DEFAULT_REQUEST_LOG_SIZE",
    "DEFAULT_SECRET_ID",
    "DEFAULT_SECRET_KEY",
    "ConnectionDropped",
    "Fault",
    "RecordedRequest",
    "Sandbox",
    "StateFileError",
]
