"""The approval page and the terminal's endpoint, as one small ASGI app.

- ``GET  /approve/{token}``: the live preview and a form; each load issues a fresh
  single-use nonce. ``token`` is the request's secret link token; nothing else leads
  to the page.
- ``POST /approve/{token}``: approve (with the typed phrase) or decline. Accepted only
  same-origin (``Origin`` equal to the page's own, ``Sec-Fetch-Site: same-origin`` when
  sent), from an allowed Host, with a nonce this page issued and nobody used.
- ``GET  /control/pending`` and ``POST /control/decide``: the ``lighthouse-mcp
  approvals`` command, authenticated by the bearer secret in the user's 0600 control
  file; browsers (any request with an ``Origin``) are refused.

Self-contained: inline CSS, no script, no external resource; a strict CSP, no referrer
to other sites (the URL holds the secret), no caching, no framing.
"""

from __future__ import annotations

import hmac
import html
import json
import time
from collections.abc import Collection
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from lighthouse_mcp.server.approvals.service import ApprovalService
from lighthouse_mcp.server.approvals.store import ApprovalRequest, request_id

MAX_FORM_BYTES = 8192

_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: the URL holds the secret, so no other site may see it,
    # but with no-referrer the browser sends `Origin: null` on our own form posts.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

_CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f3f4f6;color:#111827;font:16px/1.5 system-ui,-apple-system,
"Segoe UI",Roboto,"Noto Sans","PingFang SC","Microsoft YaHei",sans-serif}
main{max-width:46rem;margin:2.5rem auto;padding:0 1rem}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:12px;padding:1.75rem 2rem;
box-shadow:0 1px 3px rgba(0,0,0,.06)}
.kicker{font-size:.8rem;letter-spacing:.08em;text-transform:uppercase;color:#6b7280;margin:0}
h1{font-size:1.6rem;margin:.2rem 0 1rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0 0 1.25rem;
font-size:.92rem}
dt{color:#6b7280}dd{margin:0;font-family:ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:#0f172a;color:#e2e8f0;padding:1rem 1.1rem;border-radius:8px;overflow:auto;
white-space:pre-wrap;word-break:break-word;font:13.5px/1.55 ui-monospace,SFMono-Regular,
Menlo,monospace;margin:0 0 1.5rem}
label{display:block;font-weight:600;margin-bottom:.4rem}
code{background:#fef3c7;color:#92400e;padding:.1rem .35rem;border-radius:4px;
font-family:ui-monospace,SFMono-Regular,Menlo,monospace}
input[type=text]{width:100%;padding:.6rem .75rem;font:15px ui-monospace,SFMono-Regular,
Menlo,monospace;border:1px solid #d1d5db;border-radius:8px;margin-bottom:1rem}
input[type=text]:focus{outline:2px solid #2563eb;border-color:#2563eb}
.row{display:flex;gap:.75rem;align-items:center;flex-wrap:wrap}
button{font:600 15px system-ui,sans-serif;padding:.6rem 1.2rem;border-radius:8px;
cursor:pointer;border:1px solid transparent}
.approve{background:#b91c1c;color:#fff}.approve:hover{background:#991b1b}
.decline{background:#fff;color:#111827;border-color:#d1d5db}.decline:hover{background:#f9fafb}
.error{background:#fef2f2;border:1px solid #fecaca;color:#991b1b;padding:.6rem .9rem;
border-radius:8px;margin:0 0 1rem}
.note{color:#6b7280;font-size:.85rem;margin:1.25rem 0 0}
.ok{color:#166534}.no{color:#991b1b}
"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    text = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="referrer" content="same-origin">'
        f"<title>{html.escape(title)} · lighthouse-mcp</title><style>{_CSS}</style>"
        f'</head><body><main><div class="card">{body}</div></main></body></html>'
    )
    return HTMLResponse(text, status_code=status, headers=_HEADERS)


def _message(title: str, text: str, status: int, css: str = "") -> HTMLResponse:
    cls = f' class="{css}"' if css else ""
    return _page(
        title,
        f'<p class="kicker">lighthouse-mcp approval</p>'
        f"<h1{cls}>{html.escape(title)}</h1><p>{html.escape(text)}</p>",
        status,
    )


def _utc(epoch: float) -> str:
    return time.strftime("%H:%M:%S UTC", time.gmtime(epoch))


def _asked_by(request: ApprovalRequest) -> str:
    client = request.client or "(unknown client)"
    return f"{request.principal} via {client}" if request.principal else client


def _form(request: ApprovalRequest, nonce: str, error: str | None = None) -> HTMLResponse:
    esc = html.escape
    facts = [
        ("Region", request.region or "(default)"),
        ("Asked by", _asked_by(request)),
        ("Request", request.id[:8]),
        ("Expires", _utc(request.expires)),
    ]
    rows = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts)
    problem = f'<p class="error" role="alert">{esc(error)}</p>' if error else ""
    hidden = f'<input type="hidden" name="nonce" value="{esc(nonce)}">'
    body = (
        '<p class="kicker">lighthouse-mcp · approval needed</p>'
        f"<h1>{esc(request.action)}</h1>"
        f"<dl>{rows}</dl>"
        f"<pre>{esc(request.preview)}</pre>"
        f"{problem}"
        '<form method="post" autocomplete="off">'
        f'{hidden}<input type="hidden" name="choice" value="approve">'
        f'<label for="phrase">To approve, type exactly <code>{esc(request.phrase)}</code></label>'
        '<input type="text" id="phrase" name="phrase" required autofocus '
        'spellcheck="false" autocapitalize="off">'
        '<div class="row"><button class="approve" type="submit">Approve and run</button>'
        "</form>"
        '<form method="post">'
        f'{hidden}<input type="hidden" name="choice" value="decline">'
        '<button class="decline" type="submit">Decline</button></form></div>'
        '<p class="note">Only you can answer this: the assistant never sees this page or '
        "its link. Nothing runs unless you approve; the request expires at "
        f"{esc(_utc(request.expires))}.</p>"
    )
    return _page(f"Approve {request.action}", body, 422 if error else 200)


def _expected_origin(req: Request) -> str:
    return f"{req.url.scheme}://{req.headers.get('host', '')}"


def _same_origin(req: Request) -> bool:
    """A POST from this page only: the browser's Origin equals ours, and Fetch
    Metadata, when sent, says same-origin (a page on another loopback port is
    same-site but not same-origin)."""
    site = req.headers.get("sec-fetch-site")
    if site is not None and site != "same-origin":
        return False
    origin = req.headers.get("origin")
    return origin is not None and hmac.compare_digest(origin, _expected_origin(req))


def approval_app(
    service: ApprovalService,
    *,
    control_secret: str | None = None,
    allowed_hosts: Collection[str] | None = None,
) -> Starlette:
    """The page (and, with ``control_secret``, the terminal endpoint). ``allowed_hosts``
    (``host:port`` values) guards against DNS rebinding when served on its own port;
    None when mounted inside an app that checks Host itself."""
    store = service.store

    def host_ok(req: Request) -> bool:
        return allowed_hosts is None or req.headers.get("host", "") in allowed_hosts

    async def pending_request(token: str) -> ApprovalRequest | Response:
        rid = request_id(token)
        request = await store.get(rid)
        if request is None:
            return _message(
                "Link not valid",
                "This approval link is unknown or its call has finished. Nothing was changed.",
                404,
            )
        decision = await store.decision(rid)
        if decision is not None and decision.verdict == "expired":
            return _message(
                "Link expired",
                f"The request to run {request.action} expired "
                "without an answer; nothing was sent. Ask the assistant again if "
                "you still want it.",
                410,
            )
        if decision is not None and decision.verdict == "cancelled":
            return _message(
                "Request withdrawn",
                f"The call to {request.action} was cancelled before anyone answered; "
                "nothing was sent.",
                409,
            )
        if decision is not None:
            return _message(
                "Already answered", f"This request was already {decision.verdict}.", 409
            )
        return request

    async def show(req: Request) -> Response:
        if not host_ok(req):
            return _message("Refused", "Unexpected Host header.", 421)
        found = await pending_request(req.path_params["token"])
        if not isinstance(found, ApprovalRequest):
            return found
        nonce = await store.issue_nonce(found.id)
        if nonce is None:
            return _message("Link expired", "This request is no longer pending.", 410)
        return _form(found, nonce)

    async def submit(req: Request) -> Response:
        if not host_ok(req):
            return _message("Refused", "Unexpected Host header.", 421)
        if not _same_origin(req):
            return _message(
                "Refused",
                "This answer did not come from the approval page itself; nothing was changed.",
                403,
                "no",
            )
        body = await req.body()
        if len(body) > MAX_FORM_BYTES:
            return _message("Refused", "The form is too large.", 413)
        fields = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        found = await pending_request(req.path_params["token"])
        if not isinstance(found, ApprovalRequest):
            return found
        if not await store.take_nonce(found.id, fields.get("nonce", "")):
            return _message(
                "Refused",
                "This form was already used or is stale; reload the "
                "page to answer. Nothing was changed.",
                403,
                "no",
            )
        choice = fields.get("choice")
        if choice not in ("approve", "decline"):
            return _message("Refused", "Unknown answer.", 400)
        outcome = await service.answer(
            found.id, approve=choice == "approve", typed=fields.get("phrase"), by="page"
        )
        if outcome == "wrong-phrase":
            nonce = await store.issue_nonce(found.id)
            if nonce is None:
                return _message("Link expired", "This request is no longer pending.", 410)
            return _form(
                found,
                nonce,
                "The phrase did not match, so nothing was approved. "
                "Type it exactly as shown, or decline.",
            )
        if outcome == "approved":
            return _message(
                "Approved", f"{found.action} runs now. You can close this tab.", 200, "ok"
            )
        if outcome == "declined":
            return _message("Declined", f"{found.action} will not run; nothing was sent.", 200)
        return _message(
            "Not pending",
            "This request was answered or expired meanwhile; nothing was changed.",
            409,
        )

    def control_ok(req: Request) -> bool:
        if control_secret is None or "origin" in req.headers or not host_ok(req):
            return False
        given = req.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {control_secret}".encode())

    async def control_pending(req: Request) -> Response:
        if not control_ok(req):
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        requests = [r.as_dict() for r in await store.pending()]
        return JSONResponse(
            {"pending": requests, "now": time.time()}, headers={"Cache-Control": "no-store"}
        )

    async def control_decide(req: Request) -> Response:
        if not control_ok(req):
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        try:
            data: Any = json.loads(await req.body())
            rid, verdict = str(data["id"]), str(data["verdict"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "expected {id, verdict, phrase}"}, status_code=400)
        if verdict not in ("approve", "decline"):
            return JSONResponse({"error": "verdict is approve or decline"}, status_code=400)
        phrase = data.get("phrase")
        outcome = await service.answer(
            rid,
            approve=verdict == "approve",
            typed=phrase if isinstance(phrase, str) else None,
            by="terminal",
        )
        return JSONResponse({"result": outcome})

    return Starlette(
        routes=[
            Route("/approve/{token}", show, methods=["GET"]),
            Route("/approve/{token}", submit, methods=["POST"]),
            Route("/control/pending", control_pending, methods=["GET"]),
            Route("/control/decide", control_decide, methods=["POST"]),
        ]
    )


__all__ = ["approval_app"]
