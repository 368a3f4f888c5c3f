"""A local, stateful emulator of the Lighthouse API that verifies signatures like the service.

``Sandbox`` is the whole thing: ``sb.app`` (ASGI), ``sb.transport()`` (in-process httpx
transport), ``sb.reset()``, ``sb.requests`` (what reached it), ``sb.faults``.
"""

from __future__ import annotations

from .service import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, RecordedRequest, Sandbox

__all__ = ["DEFAULT_SECRET_ID", "DEFAULT_SECRET_KEY", "RecordedRequest", "Sandbox"]
