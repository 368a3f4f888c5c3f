"""What a command prints on a sandbox instance: a fixed set of common diagnostics.

The TAT agent of a sandbox instance understands ``uptime``, ``uname [-a|-r|-s]``,
``hostname``, ``whoami``, ``pwd``, ``date``, ``echo``, ``df -h``, ``free -m``,
``cat /etc/os-release``, ``systemctl status|restart|start|stop|is-active <unit>``,
``ss -lntp``, ``journalctl -u <unit> -n N`` and ``sleep N``, joined by newlines, ``;``
or ``&&``. Anything else is ``command not found`` with exit code 127, as bash says it.
Figures come from ``telemetry`` (the ones Cloud Monitor reports), services from a small
table per instance that ``systemctl restart`` changes. Pure: the caller passes the
instance, the clock and the per-instance unit state, and stores what changed.
"""

from __future__ import annotations

import shlex
import time
from dataclasses import dataclass, field
from typing import Any

from . import telemetry

Record = dict[str, Any]

#: Units every Linux instance runs; name -> (description, main process, listening ports).
UNITS: dict[str, tuple[str, str, tuple[int, ...]]] = {
    "sshd": ("OpenBSD Secure Shell server", "sshd", (22,)),
    "nginx": ("A high performance web server and a reverse proxy server", "nginx", (80, 443)),
    "docker": ("Docker Application Container Engine", "dockerd", ()),
    "cron": ("Regular background program processing daemon", "cron", ()),
    "tat_agent": ("TAT agent", "tat_agent", ()),
}
_ALIASES = {"ssh": "sshd", "crond": "cron"}
#: TAT keeps at most this much output per task (the rest is counted in ``Dropped``).
MAX_OUTPUT_BYTES = 24 * 1024


@dataclass
class Result:
    exit_code: int
    output: str
    seconds: float = 0.0  # how long the command runs (``sleep``)
    units: dict[str, float] = field(default_factory=dict)  # unit -> active since (changed)


def run(
    command: str,
    instance: Record,
    *,
    now: float,
    username: str = "root",
    working_directory: str = "/root",
    units: dict[str, float] | None = None,
    powershell: bool = False,
) -> Result:
    """Run ``command`` (the decoded script) on ``instance`` at ``now``."""
    since = dict(units or {})
    shell = _Shell(instance, now, username, working_directory, since, powershell)
    out: list[str] = []
    code = 0
    for line in command.splitlines() or [""]:
        for part, chained in _split(line):
            if chained and code != 0:
                break
            if not part.strip():
                continue
            code, text = shell.one(part.strip())
            out.append(text)
    return Result(code, "".join(out), shell.seconds, since)


def _split(line: str) -> list[tuple[str, bool]]:
    """``a && b; c`` -> [(a, False), (b, True), (c, False)] (True: runs only after success)."""
    return [
        (piece, j > 0) for group in line.split(";") for j, piece in enumerate(group.split("&&"))
    ]


def _unit_name(raw: str) -> str:
    name = raw.removesuffix(".service")
    return _ALIASES.get(name, name)


def _clock(t: float) -> str:
    return time.strftime("%H:%M:%S", time.gmtime(t))


def _stamp(t: float) -> str:
    return time.strftime("%a %Y-%m-%d %H:%M:%S UTC", time.gmtime(t))


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    head = f"{days} day{'s' if days != 1 else ''}, " if days else ""
    return f"{head}{hours:2d}:{minutes:02d}" if hours else f"{head}{minutes} min"


class _Shell:
    def __init__(
        self,
        instance: Record,
        now: float,
        username: str,
        cwd: str,
        since: dict[str, float],
        powershell: bool,
    ) -> None:
        self.instance = instance
        self.now = now
        self.username = username
        self.cwd = cwd
        self.since = since
        self.powershell = powershell
        self.seconds = 0.0
        self.booted = telemetry.running_since(instance) or now
        self.sample = telemetry.sample(instance, now)
        ip = (instance.get("PrivateAddresses") or ["10.0.0.12"])[0]
        self.hostname = "VM-" + "-".join(ip.split(".")[-2:]) + "-" + self._distro()[0]

    # -- identity -------------------------------------------------------------------------

    def _distro(self) -> tuple[str, str, str]:
        """(id, pretty name, version id) from the instance's OsName."""
        name = str(self.instance.get("OsName") or "Ubuntu Server 22.04 LTS 64bit")
        lower = name.lower()
        for key, ident in (("ubuntu", "ubuntu"), ("debian", "debian"), ("centos", "centos")):
            if key in lower:
                version = next((w for w in name.split() if w[:1].isdigit()), "")
                return ident, name.removesuffix(" 64bit"), version
        if "opencloudos" in lower:
            return "opencloudos", "OpenCloudOS 9", "9"
        return "linux", name, ""

    def _kernel(self) -> str:
        ident = self._distro()[0]
        return {
            "ubuntu": "5.15.0-86-generic",
            "debian": "6.1.0-13-amd64",
            "centos": "3.10.0-1160.el7.x86_64",
        }.get(ident, "6.6.47-12.oc9.x86_64")

    def _active_since(self, unit: str) -> float:
        return self.since.get(unit, self.booted + 3)

    # -- dispatch -------------------------------------------------------------------------

    def one(self, text: str) -> tuple[int, str]:
        try:
            argv = shlex.split(text)
        except ValueError as exc:
            return 2, f"bash: line 1: syntax error: {exc}\n"
        if not argv:
            return 0, ""
        name, args = argv[0], argv[1:]
        if self.powershell:
            return self._powershell(name, args)
        handler = getattr(self, "_cmd_" + name, None) if name.isalpha() else None
        if handler is None:
            return 127, f"bash: line 1: {name}: command not found\n"
        result: tuple[int, str] = handler(args)
        return result

    def _powershell(self, name: str, args: list[str]) -> tuple[int, str]:
        if name.lower() == "hostname":
            return 0, self.hostname + "\n"
        if name.lower() in ("echo", "write-output"):
            return 0, " ".join(args) + "\n"
        if name.lower() == "whoami":
            return 0, f"{self.hostname.lower()}\\{self.username.lower()}\n"
        return 1, (
            f"{name} : The term '{name}' is not recognized as the name of a cmdlet, function, "
            "script file, or operable program.\n"
        )

    # -- commands -------------------------------------------------------------------------

    def _cmd_uptime(self, args: list[str]) -> tuple[int, str]:
        s = self.sample
        up = _duration(self.now - self.booted)
        return 0, (
            f" {_clock(self.now)} up {up},  1 user,  load average: "
            f"{s.load1:.2f}, {s.load5:.2f}, {s.load15:.2f}\n"
        )

    def _cmd_uname(self, args: list[str]) -> tuple[int, str]:
        kernel = self._kernel()
        if "-a" in args:
            build = {
                "ubuntu": "#96-Ubuntu SMP Wed Sep 20 08:23:49 UTC 2023",
                "debian": "#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)",
                "centos": "#1 SMP Wed Oct 5 15:06:18 UTC 2022",
            }.get(self._distro()[0], "#1 SMP Tue Aug 20 2024")
            return 0, f"Linux {self.hostname} {kernel} {build} x86_64 x86_64 x86_64 GNU/Linux\n"
        if "-r" in args:
            return 0, kernel + "\n"
        return 0, "Linux\n"

    def _cmd_hostname(self, args: list[str]) -> tuple[int, str]:
        return 0, self.hostname + "\n"

    def _cmd_whoami(self, args: list[str]) -> tuple[int, str]:
        return 0, self.username + "\n"

    def _cmd_pwd(self, args: list[str]) -> tuple[int, str]:
        return 0, self.cwd + "\n"

    def _cmd_date(self, args: list[str]) -> tuple[int, str]:
        return 0, _stamp(self.now) + "\n"

    def _cmd_echo(self, args: list[str]) -> tuple[int, str]:
        return 0, " ".join(args) + "\n"

    def _cmd_true(self, args: list[str]) -> tuple[int, str]:
        return 0, ""

    def _cmd_false(self, args: list[str]) -> tuple[int, str]:
        return 1, ""

    def _cmd_sleep(self, args: list[str]) -> tuple[int, str]:
        try:
            self.seconds += max(0.0, float(args[0]))
        except (IndexError, ValueError):
            return 1, "sleep: missing operand\n"
        return 0, ""

    def _cmd_df(self, args: list[str]) -> tuple[int, str]:
        s = self.sample
        size, used = s.disk_total_gb, s.disk_used_gb
        mem_gb = s.mem_total_mb / 1024
        run_mb = s.mem_total_mb / 10
        rows = [
            ("Filesystem", "Size", "Used", "Avail", "Use%", "Mounted on"),
            ("tmpfs", f"{run_mb:.0f}M", "1.1M", f"{run_mb - 1.1:.0f}M", "1%", "/run"),
            (
                "/dev/vda2",
                f"{size:.0f}G",
                f"{used:.1f}G",
                f"{size - used:.1f}G",
                f"{s.disk:.0f}%",
                "/",
            ),
            ("tmpfs", f"{mem_gb / 2:.1f}G", "0", f"{mem_gb / 2:.1f}G", "0%", "/dev/shm"),
            ("/dev/vda1", "1.1G", "6.1M", "1.1G", "1%", "/boot/efi"),
        ]
        return 0, "".join(f"{a:<16}{b:>6}{c:>6}{d:>6}{e:>5} {f}\n" for a, b, c, d, e, f in rows)

    def _cmd_free(self, args: list[str]) -> tuple[int, str]:
        s = self.sample
        total, used = int(s.mem_total_mb), int(s.mem_used_mb)
        cache = int((total - used) * 0.6)
        free = total - used - cache
        return 0, (
            "               total        used        free      shared  buff/cache   available\n"
            f"Mem:    {total:>12}{used:>12}{free:>12}{4:>12}{cache:>12}{total - used:>12}\n"
            f"Swap:   {0:>12}{0:>12}{0:>12}\n"
        )

    def _cmd_cat(self, args: list[str]) -> tuple[int, str]:
        if args == ["/etc/os-release"]:
            ident, pretty, version = self._distro()
            return 0, (
                f'PRETTY_NAME="{pretty}"\nNAME="{pretty.split()[0]}"\n'
                f'VERSION_ID="{version}"\nID={ident}\nHOME_URL="https://www.{ident}.com/"\n'
            )
        if args == ["/etc/hostname"]:
            return 0, self.hostname + "\n"
        missing = args[0] if args else "-"
        return 1, f"cat: {missing}: No such file or directory\n"

    def _cmd_systemctl(self, args: list[str]) -> tuple[int, str]:
        if len(args) < 2 or args[0] not in ("status", "restart", "start", "stop", "is-active"):
            return 1, "Usage: systemctl status|restart|start|stop|is-active UNIT...\n"
        verb, code, out = args[0], 0, []
        for raw in args[1:]:
            one_code, text = self._systemctl(verb, _unit_name(raw))
            code = max(code, one_code)
            out.append(text)
        return code, ("\n" if verb == "status" else "").join(out)

    def _systemctl(self, verb: str, unit: str) -> tuple[int, str]:
        if unit not in UNITS:
            if verb == "status":
                return 4, f"Unit {unit}.service could not be found.\n"
            if verb == "is-active":
                return 3, "inactive\n"
            return 5, f"Failed to {verb} {unit}.service: Unit {unit}.service not found.\n"
        if verb in ("restart", "start"):
            self.since[unit] = self.now
            return 0, ""
        if verb == "stop":
            self.since[unit] = -1.0
            return 0, ""
        since = self._active_since(unit)
        active = since >= 0
        if verb == "is-active":
            return (0, "active\n") if active else (3, "inactive\n")
        description, process, _ = UNITS[unit]
        state = (
            f"active (running) since {_stamp(since)}; {_duration(self.now - since)} ago"
            if active
            else "inactive (dead)"
        )
        body = (
            f"● {unit}.service - {description}\n"
            f"     Loaded: loaded (/lib/systemd/system/{unit}.service; enabled; preset: enabled)\n"
            f"     Active: {state}\n"
        )
        if active:
            body += f"   Main PID: {self._pid(unit)} ({process})\n      Tasks: 2 (limit: 2234)\n"
        return (0 if active else 3), body

    def _pid(self, unit: str) -> int:
        return 700 + int(telemetry.stable_unit(self.instance.get("InstanceId"), unit) * 900)

    def _cmd_ss(self, args: list[str]) -> tuple[int, str]:
        lines = ["State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process"]
        for unit, (_, process, ports) in UNITS.items():
            if self._active_since(unit) < 0:
                continue
            pid = self._pid(unit)
            for port in ports:
                lines.append(
                    f"LISTEN 0      511          0.0.0.0:{port:<5}      0.0.0.0:*    "
                    f'users:(("{process}",pid={pid},fd=6))'
                )
        return 0, "\n".join(lines) + "\n"

    def _cmd_journalctl(self, args: list[str]) -> tuple[int, str]:
        unit, count = "", 10
        it = iter(range(len(args)))
        for i in it:
            if args[i] == "-u" and i + 1 < len(args):
                unit = _unit_name(args[i + 1])
                next(it, None)
            elif args[i] == "-n" and i + 1 < len(args):
                try:
                    count = max(0, int(args[i + 1]))
                except ValueError:
                    return 1, f"Failed to parse lines '{args[i + 1]}'.\n"
                next(it, None)
        if unit and unit not in UNITS:
            return 0, "-- No entries --\n"
        unit = unit or "systemd"
        since = self._active_since(unit) if unit in UNITS else self.booted
        start = max(self.booted, since if since >= 0 else self.booted)
        lines = []
        for k in range(count):
            t = start + (self.now - start) * (k + 1) / (count + 1)
            host = self.hostname
            if k == 0:
                text = f"Started {unit}.service - {UNITS.get(unit, ('', '', ()))[0] or unit}."
            else:
                text = f"{unit}[{700 + k}]: worker heartbeat ok"
            lines.append(f"{time.strftime('%b %d %H:%M:%S', time.gmtime(t))} {host} {text}")
        return 0, "\n".join(lines) + ("\n" if lines else "")
