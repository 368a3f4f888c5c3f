"""Keeps credentials that an API call returns out of tool results.

CreateKeyPair returns the only copy of a private key. A tool result is read by the model
and often kept in chat logs, so by default the key is written to a file only the user
can read (``--key-dir``, default <state dir>/keys, folder 0700, file 0600) and the
result carries the file's path and the public key instead. DescribeDockerContainerDetail
returns the container's ``docker inspect`` (base64 JSON) whose ``Config.Env`` holds the
environment values the user set, often database passwords and API keys: the values are
blanked (names kept). ``--return-secrets`` turns both off for people who want the secrets
in results. (DescribeInstanceVncUrl's login URL is useless unless shown, so it is gated
as a secret read instead: see server/gate/policy.py.)
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from pathlib import Path
from typing import Any

from lighthouse_mcp.catalog.secrets import REDACTED
from lighthouse_mcp.server.config import state_dir
from lighthouse_mcp.server.hooks import CallNext, PendingCall, ToolContext
from lighthouse_mcp.server.registry import Registry

_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]")


def default_key_dir() -> Path:
    return state_dir() / "keys"


class PrivateKeyFiles:
    """A call wrapper: CreateKeyPair's ``KeyPair.PrivateKey`` goes to a file."""

    def __init__(self, key_dir: Path) -> None:
        self.key_dir = key_dir

    def __repr__(self) -> str:
        return f"PrivateKeyFiles(key_dir={str(self.key_dir)!r})"

    async def __call__(
        self, call: PendingCall, ctx: ToolContext, call_next: CallNext
    ) -> dict[str, Any]:
        response = await call_next(call)
        if call.action != "CreateKeyPair":
            return response
        pair = response.get("KeyPair")
        if not isinstance(pair, dict) or not pair.get("PrivateKey"):
            return response
        kept = {k: v for k, v in pair.items() if k != "PrivateKey"}
        key_id = str(pair.get("KeyId") or "key")
        try:
            path = self.save(key_id, str(pair["PrivateKey"]))
        except OSError as exc:
            # The key exists only in this response: say so plainly, never return it.
            return {
                **response,
                "KeyPair": kept,
                "PrivateKeyNotSaved": (
                    f"the private key could not be written under {self.key_dir} "
                    f"({exc.strerror or type(exc).__name__}); it is lost. Delete key pair "
                    f"{key_id} (DeleteKeyPairs) and create a new one after fixing --key-dir."
                ),
            }
        return {**response, "KeyPair": kept, "PrivateKeyFile": str(path)}

    def save(self, key_id: str, private_key: str) -> Path:
        """Write the key to a new file readable only by the user; never overwrite one."""
        self.key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        base = _SAFE_NAME.sub("_", key_id) or "key"
        text = private_key if private_key.endswith("\n") else private_key + "\n"
        for attempt in range(100):
            path = self.key_dir / (f"{base}.pem" if attempt == 0 else f"{base}-{attempt}.pem")
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            try:
                os.write(fd, text.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            return path
        raise FileExistsError(f"{base}.pem and 99 numbered variants already exist")


def _blank_env(item: str) -> str:
    name, sep, _ = item.partition("=")
    return f"{name}={REDACTED}" if sep else item


def redact_container_detail(detail: str) -> str:
    """``ContainerDetail`` (base64 of a JSON list of ``docker inspect`` objects) with
    every ``Config.Env`` value replaced by ``<redacted>``; text with no Env list to blank
    (or that does not decode) is returned unchanged."""
    try:
        inspected = json.loads(base64.b64decode(detail, validate=True))
    except (binascii.Error, ValueError):
        return detail
    items = inspected if isinstance(inspected, list) else [inspected]
    configs = [
        item["Config"]
        for item in items
        if isinstance(item, dict)
        and isinstance(item.get("Config"), dict)
        and isinstance(item["Config"].get("Env"), list)
    ]
    if not configs:
        return detail
    for config in configs:
        config["Env"] = [_blank_env(e) if isinstance(e, str) else REDACTED for e in config["Env"]]
    text = json.dumps(inspected, ensure_ascii=False, indent=4)
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


async def container_env_values(
    call: PendingCall, ctx: ToolContext, call_next: CallNext
) -> dict[str, Any]:
    """A call wrapper: DescribeDockerContainerDetail without environment values."""
    response = await call_next(call)
    detail = response.get("ContainerDetail")
    if call.action != "DescribeDockerContainerDetail" or not isinstance(detail, str):
        return response
    return {**response, "ContainerDetail": redact_container_detail(detail)}


def install(registry: Registry) -> None:
    """Add the key-file and container-env wrappers unless ``--return-secrets``."""
    settings = registry.settings
    if not settings.return_secrets:
        registry.add_call_wrapper(PrivateKeyFiles(settings.key_dir or default_key_dir()))
        registry.add_call_wrapper(container_env_values)
