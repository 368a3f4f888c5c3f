"""The control file: how ``lighthouse-mcp approvals`` finds a running server and proves
it is the same user.

Each server serving approvals writes ``approvals-<pid>.json`` (its loopback URL and a
random bearer secret) into a folder only the user can enter, with mode 0600, and removes
it on exit. The folder is ``$XDG_RUNTIME_DIR/lighthouse-mcp`` when that is set, else
``~/.cache/lighthouse-mcp``. Files of processes that are gone, not owned by the user,
or readable by others are ignored.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

PREFIX = "approvals-"


def control_dir(env: dict[str, str] | None = None) -> Path:
    env = dict(os.environ) if env is None else env
    runtime = env.get("XDG_RUNTIME_DIR")
    if runtime:
        return Path(runtime) / "lighthouse-mcp"
    return Path(env.get("HOME") or Path.home()) / ".cache" / "lighthouse-mcp"


@dataclass(frozen=True)
class ControlInfo:
    url: str
    secret: str
    pid: int
    path: Path

    def __repr__(self) -> str:  # never the secret
        return f"ControlInfo(url={self.url!r}, pid={self.pid}, path={str(self.path)!r})"


def _private_dir(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = folder.stat()
    if info.st_uid != os.getuid():
        raise PermissionError(f"{folder} belongs to another user")
    if stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(folder, 0o700)


def write_control(url: str, secret: str, *, folder: Path | None = None) -> Path:
    """Create this process's control file (0600, never over an existing file)."""
    folder = folder or control_dir()
    _private_dir(folder)
    path = folder / f"{PREFIX}{os.getpid()}.json"
    path.unlink(missing_ok=True)  # a file left by an earlier process with our pid
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"url": url, "secret": secret, "pid": os.getpid()}, out)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_controls(folder: Path | None = None) -> list[ControlInfo]:
    """The running servers' control files that are safe to use."""
    folder = folder or control_dir()
    found: list[ControlInfo] = []
    for path in sorted(folder.glob(f"{PREFIX}*.json")) if folder.is_dir() else []:
        try:
            info = path.lstat()
            if (
                not stat.S_ISREG(info.st_mode)
                or info.st_uid != os.getuid()
                or stat.S_IMODE(info.st_mode) & 0o077
            ):
                continue
            data = json.loads(path.read_text(encoding="utf-8"))
            entry = ControlInfo(str(data["url"]), str(data["secret"]), int(data["pid"]), path)
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if _alive(entry.pid):
            found.append(entry)
    return found


__all__ = ["ControlInfo", "control_dir", "read_controls", "write_control"]
