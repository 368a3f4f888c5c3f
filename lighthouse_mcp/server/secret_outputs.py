"""Keeps credentials that an API call returns out of tool results.

Which result members are secret is data (catalog.secret_outputs: the overlay's table,
turned into paths per action by the catalog's output types); this module implements
the forms and is the one place they are applied, as the pipeline's output filter on
every response. A tool result is read by the model and often kept in chat logs:
CreateKeyPair's private key (the only copy) is written to a file only the user can
read (``--key-dir``, default <state dir>/keys, folder 0700, file 0600) and the result
carries the file's path and the public key instead; container environment values
(DescribeDockerContainerConfiguration's ``Envs[].Value``, the ``Config.Env`` of
DescribeDockerContainerDetail's base64 ``docker inspect``) become ``<redacted>``, names
kept. ``--return-secrets`` turns all of it off for people who want the secrets in
results. (DescribeInstanceVncUrl's login URL is useless unless shown, so it is gated as
a secret read instead: see server/gate/policy.py.)
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lighthouse_mcp.catalog.secret_outputs import blank, secret_output_paths, transform
from lighthouse_mcp.catalog.secrets import REDACTED
from lighthouse_mcp.server.config import state_dir
from lighthouse_mcp.server.registry import Registry

_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]")


def default_key_dir() -> Path:
    return state_dir() / "keys"


class PrivateKeyFiles:
    """The ``key-file`` form: each private key goes to a file; the result names it."""

    def __init__(self, key_dir: Path) -> None:
        self.key_dir = key_dir

    def __repr__(self) -> str:
        return f"PrivateKeyFiles(key_dir={str(self.key_dir)!r})"

    def apply(self, response: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
        """``response`` without the keys at ``path``; ``PrivateKeyFile`` names the file
        (``PrivateKeyNotSaved`` says why there is none: the key existed only here)."""
        saved: list[str] = []
        lost: list[str] = []
        member = path[-1]

        def move(holder: Any) -> Any:
            if not isinstance(holder, dict) or not holder.get(member):
                return holder
            key_id = str(holder.get("KeyId") or "key")
            try:
                saved.append(str(self.save(key_id, str(holder[member]))))
            except OSError as exc:
                lost.append(
                    f"the private key could not be written under {self.key_dir} "
                    f"({exc.strerror or type(exc).__name__}); it is lost. Delete key pair "
                    f"{key_id} (DeleteKeyPairs) and create a new one after fixing --key-dir."
                )
            return {k: v for k, v in holder.items() if k != member}

        out: dict[str, Any] = transform(response, path[:-1], move) if len(path) > 1 else response
        if len(saved) == 1:
            out["PrivateKeyFile"] = saved[0]
        elif saved:
            out["PrivateKeyFiles"] = saved
        if lost:
            out["PrivateKeyNotSaved"] = " ".join(lost)
        return out

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


class SecretOutputs:
    """Keeps every secret member of every result out of it (catalog.secret_outputs):
    the pipeline applies it to each response, of a tool call or of a server-side read."""

    def __init__(self, key_dir: Path) -> None:
        self.key_files = PrivateKeyFiles(key_dir)

    def __repr__(self) -> str:
        return f"SecretOutputs({self.key_files!r})"

    def __call__(self, action: str, response: dict[str, Any]) -> dict[str, Any]:
        for secret in secret_output_paths(action):
            if secret.form == "key-file":
                response = self.key_files.apply(response, secret.path)
            else:
                response = transform(response, secret.path, _FORMS[secret.form])
        return response


def _docker_inspect_env(value: Any) -> Any:
    return redact_container_detail(value) if isinstance(value, str) else REDACTED


_FORMS: dict[str, Callable[[Any], Any]] = {
    "blank": blank,
    "docker-inspect-env": _docker_inspect_env,
}


def install(registry: Registry) -> None:
    """Keep secret result members out of every result, unless ``--return-secrets``."""
    settings = registry.settings
    if not settings.return_secrets:
        registry.add_output_filter(SecretOutputs(settings.key_dir or default_key_dir()))
