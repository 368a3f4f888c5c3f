"""Tencent Cloud credentials: the value type and the chain of places they come from.

The chain, first source that answers wins (``CredentialChain``):

1. explicit configuration (a ``Credentials`` passed in);
2. environment: TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY, with
   TENCENTCLOUD_TOKEN or TENCENTCLOUD_SESSION_TOKEN for temporary keys;
3. ``~/.tencentcloud/credentials`` (INI, section ``[default]`` or TENCENTCLOUD_PROFILE,
   keys ``secret_id``/``secret_key``/``token`` as the official SDKs read them);
4. tccli's ``~/.tccli/<profile>.credential`` (JSON ``secretId``/``secretKey``/``token``);
5. the instance role from the CVM/Lighthouse metadata service — opt-in
   (LIGHTHOUSE_MCP_INSTANCE_ROLE), because probing a metadata address off-cloud costs a
   timeout; fetched with a short timeout and refreshed before it expires.

A source that is *half* configured (an id without a key, a profile file without the
named section, an unreadable tccli file) is an error, not a silent fall-through: the
user meant to use it, so the message says what is missing.
"""

from __future__ import annotations

import configparser
import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import anyio
import httpx

from .errors import CredentialsError
from .signing import mask_secret_id


@dataclass(frozen=True, slots=True)
class Credentials:
    """A SecretId/SecretKey pair, plus a token for temporary (STS / role) credentials.

    ``repr`` and ``str`` never show the key or the token, and only a masked SecretId,
    so a credentials object can end up in a log line or a traceback without leaking.
    ``expires_at`` (UNIX time) is set for role credentials so a provider can refresh.
    """

    secret_id: str
    secret_key: str = field(repr=False)
    token: str | None = field(default=None, repr=False)
    expires_at: float | None = None

    def __repr__(self) -> str:
        kind = "temporary" if self.token else "long-term"
        return f"Credentials(secret_id={mask_secret_id(self.secret_id)!r}, {kind})"

    __str__ = __repr__


# --- where credentials come from -------------------------------------------------------

ENV_SECRET_ID = "TENCENTCLOUD_SECRET_ID"
ENV_SECRET_KEY = "TENCENTCLOUD_SECRET_KEY"
ENV_TOKENS = ("TENCENTCLOUD_TOKEN", "TENCENTCLOUD_SESSION_TOKEN")
ENV_PROFILE = "TENCENTCLOUD_PROFILE"
ENV_REGION = "TENCENTCLOUD_REGION"
#: Opt-in for the instance role: "1"/"true" discovers the role, any other value names it.
ENV_INSTANCE_ROLE = "LIGHTHOUSE_MCP_INSTANCE_ROLE"
METADATA_URL = "http://metadata.tencentyun.com/latest/meta-data/cam/security-credentials/"
#: Role credentials are replaced this many seconds before they expire.
REFRESH_MARGIN = 300.0
HOW_TO_CONFIGURE = (
    "Configure one of: (1) environment variables TENCENTCLOUD_SECRET_ID and "
    "TENCENTCLOUD_SECRET_KEY (plus TENCENTCLOUD_TOKEN for temporary keys); "
    "(2) ~/.tencentcloud/credentials with a [default] section (or the section named by "
    "TENCENTCLOUD_PROFILE) holding secret_id and secret_key; (3) `tccli configure`, which "
    "writes ~/.tccli/default.credential; (4) on a CVM or Lighthouse instance with a CAM "
    "role, set LIGHTHOUSE_MCP_INSTANCE_ROLE=1. Keys are created at "
    "https://console.cloud.tencent.com/cam/capi"
)


class CredentialsProvider(Protocol):
    """Anything the client can ask for current credentials."""

    async def get(self) -> Credentials: ...

    def describe_source(self) -> str: ...


class StaticProvider:
    """Fixed credentials with a description of where they came from."""

    def __init__(self, credentials: Credentials, source: str = "explicit configuration") -> None:
        self._credentials = credentials
        self._source = source

    async def get(self) -> Credentials:
        return self._credentials

    def describe_source(self) -> str:
        return f"{self._source} (SecretId {mask_secret_id(self._credentials.secret_id)})"


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_env(env: Mapping[str, str]) -> Credentials | None:
    """Credentials from the environment, None when neither id nor key is set."""
    secret_id = env.get(ENV_SECRET_ID, "").strip()
    secret_key = env.get(ENV_SECRET_KEY, "").strip()
    if not secret_id and not secret_key:
        return None
    if not secret_id or not secret_key:
        have, lack = (
            (ENV_SECRET_ID, ENV_SECRET_KEY) if secret_id else (ENV_SECRET_KEY, ENV_SECRET_ID)
        )
        raise CredentialsError(f"{have} is set but {lack} is not; set both (or neither)")
    token = next((env[n].strip() for n in ENV_TOKENS if env.get(n, "").strip()), None)
    return Credentials(secret_id, secret_key, token)


def profile_name(env: Mapping[str, str]) -> str:
    return env.get(ENV_PROFILE, "").strip() or "default"


def profile_file(home: Path) -> Path:
    return home / ".tencentcloud" / "credentials"


def from_profile_file(path: Path, profile: str, *, explicit_profile: bool) -> Credentials | None:
    """Credentials from the SDK's INI file; None when the file (or default section) is absent.

    A profile named explicitly (TENCENTCLOUD_PROFILE) that is missing is an error; a
    missing ``[default]`` just lets the chain go on.
    """
    if not path.is_file():
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError) as exc:
        raise CredentialsError(f"cannot read {path}: {type(exc).__name__}") from None
    if not parser.has_section(profile):
        if explicit_profile:
            raise CredentialsError(f"{path} has no [{profile}] section ({ENV_PROFILE}={profile})")
        return None
    section = parser[profile]
    secret_id = section.get("secret_id", "").strip()
    secret_key = section.get("secret_key", "").strip()
    if not secret_id or not secret_key:
        raise CredentialsError(f"[{profile}] in {path} needs both secret_id and secret_key")
    return Credentials(secret_id, secret_key, section.get("token", "").strip() or None)


def tccli_file(home: Path, profile: str) -> Path:
    return home / ".tccli" / f"{profile}.credential"


def from_tccli(path: Path, clock: Callable[[], float] = time.time) -> Credentials | None:
    """Credentials from a tccli profile; None when there is no such file."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CredentialsError(f"cannot read {path}: {type(exc).__name__}") from None
    if not isinstance(data, dict):
        raise CredentialsError(f"{path} is not a JSON object")
    secret_id = str(data.get("secretId") or "").strip()
    secret_key = str(data.get("secretKey") or "").strip()
    if not secret_id or not secret_key:
        raise CredentialsError(f"{path} needs both secretId and secretKey (run `tccli configure`)")
    expires = data.get("expiredTime")
    expires_at = float(expires) if isinstance(expires, int | float) and expires else None
    if expires_at is not None and expires_at <= clock():
        raise CredentialsError(f"the temporary credentials in {path} have expired")
    token = str(data.get("token") or "").strip() or None
    return Credentials(secret_id, secret_key, token, expires_at)


def region_from_config(env: Mapping[str, str], home: Path) -> str | None:
    """The default region: TENCENTCLOUD_REGION, else the profile file's or tccli's region."""
    if env.get(ENV_REGION, "").strip():
        return env[ENV_REGION].strip()
    profile = profile_name(env)
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(profile_file(home), encoding="utf-8")
        if parser.has_option(profile, "region") and parser.get(profile, "region").strip():
            return parser.get(profile, "region").strip()
        conf = json.loads((home / ".tccli" / f"{profile}.configure").read_text(encoding="utf-8"))
        region = conf.get("_sys_param", {}).get("region") if isinstance(conf, dict) else None
        return str(region) if region else None
    except (configparser.Error, OSError, ValueError, AttributeError):
        return None


class InstanceRoleProvider:
    """Temporary credentials of the CAM role bound to this CVM/Lighthouse instance.

    The role name is discovered from the metadata service unless given. Credentials are
    cached and fetched again ``REFRESH_MARGIN`` seconds before ``ExpiredTime`` (if that
    refresh fails, the cached ones serve until they really expire); a lock makes
    concurrent callers share one refresh.
    """

    def __init__(
        self,
        role: str | None = None,
        *,
        base_url: str = METADATA_URL,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._role = role
        self._base_url = base_url
        self._transport = transport
        self._timeout = timeout
        self._clock = clock
        self._cached: Credentials | None = None
        self._lock = anyio.Lock()

    async def get(self) -> Credentials:
        cached = self._cached
        if cached is not None and not self._stale(cached):
            return cached
        async with self._lock:
            if self._cached is None or self._stale(self._cached):
                try:
                    self._cached = await self._fetch()
                except CredentialsError:
                    # The refresh starts REFRESH_MARGIN early, so a metadata hiccup
                    # need not fail calls: keep the old credentials until they expire.
                    old = self._cached
                    if old is None or old.expires_at is None or self._clock() >= old.expires_at:
                        raise
                    return old
            return self._cached

    def _stale(self, creds: Credentials) -> bool:
        return creds.expires_at is not None and self._clock() >= creds.expires_at - REFRESH_MARGIN

    async def _fetch(self) -> Credentials:
        async with httpx.AsyncClient(transport=self._transport, timeout=self._timeout) as http:
            try:
                if self._role is None:
                    listing = await self._get_text(http, self._base_url)
                    roles = [line.strip() for line in listing.splitlines() if line.strip()]
                    if not roles:
                        raise CredentialsError("the metadata service lists no CAM role")
                    self._role = roles[0]
                data = json.loads(await self._get_text(http, self._base_url + self._role))
            except httpx.HTTPError as exc:
                raise CredentialsError(
                    f"the instance metadata service did not answer ({type(exc).__name__}); "
                    "instance roles work only on a CVM/Lighthouse instance with a CAM role"
                ) from None
            except ValueError:
                raise CredentialsError("the metadata service answered with non-JSON") from None
        return _role_credentials(data, self._role)

    async def _get_text(self, http: httpx.AsyncClient, url: str) -> str:
        response = await http.get(url)
        if response.status_code != 200:
            raise CredentialsError(
                f"the metadata service answered HTTP {response.status_code} for {url}"
            )
        return response.text

    def describe_source(self) -> str:
        role = repr(self._role) if self._role else "(discovered)"
        when = ""
        if self._cached is not None and self._cached.expires_at is not None:
            stamp = time.gmtime(self._cached.expires_at)
            when = f", expires {time.strftime('%Y-%m-%d %H:%M:%S UTC', stamp)}"
        return f"instance role {role} from the metadata service{when}"


def _role_credentials(data: Any, role: str) -> Credentials:
    fields = ("TmpSecretId", "TmpSecretKey", "Token")
    if not isinstance(data, dict) or not all(isinstance(data.get(f), str) for f in fields):
        raise CredentialsError(f"the metadata answer for role {role!r} lacks {'/'.join(fields)}")
    expired = data.get("ExpiredTime")
    expires_at = float(expired) if isinstance(expired, int | float) else None
    return Credentials(data["TmpSecretId"], data["TmpSecretKey"], data["Token"], expires_at)


class CredentialChain:
    """The default provider: the first source that answers (see the module docstring).

    File and environment sources are read once, on first use; the instance role provider
    keeps refreshing itself. ``home`` and ``env`` are injectable so tests never read the
    real machine's configuration.
    """

    def __init__(
        self,
        explicit: Credentials | None = None,
        *,
        env: Mapping[str, str] | None = None,
        home: Path | None = None,
        instance_role: bool | str | None = None,
        metadata_transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._explicit = explicit
        self._env = dict(os.environ if env is None else env)
        self._home = Path.home() if home is None else home
        self._clock = clock
        role_opt = self._env.get(ENV_INSTANCE_ROLE, "") if instance_role is None else instance_role
        self._role: InstanceRoleProvider | None = None
        if role_opt and role_opt != "0" and str(role_opt).lower() != "false":
            name = None if role_opt is True or _truthy(str(role_opt)) else str(role_opt)
            self._role = InstanceRoleProvider(name, transport=metadata_transport, clock=clock)
        self._resolved: StaticProvider | None = None

    def _static(self) -> StaticProvider | None:
        if self._resolved is None:
            self._resolved = self._find_static()
        return self._resolved

    def _find_static(self) -> StaticProvider | None:
        if self._explicit is not None:
            return StaticProvider(self._explicit)
        env_creds = from_env(self._env)
        if env_creds is not None:
            return StaticProvider(
                env_creds, f"environment variables {ENV_SECRET_ID}/{ENV_SECRET_KEY}"
            )
        profile = profile_name(self._env)
        path = profile_file(self._home)
        ini = from_profile_file(
            path, profile, explicit_profile=bool(self._env.get(ENV_PROFILE, "").strip())
        )
        if ini is not None:
            return StaticProvider(ini, f"profile [{profile}] in {path}")
        tccli_path = tccli_file(self._home, profile)
        tccli = from_tccli(tccli_path, self._clock)
        if tccli is not None:
            return StaticProvider(tccli, f"tccli profile {profile!r} ({tccli_path})")
        return None

    async def get(self) -> Credentials:
        static = self._static()
        if static is not None:
            return await static.get()
        if self._role is not None:
            return await self._role.get()
        raise CredentialsError(f"No Tencent Cloud credentials found. {HOW_TO_CONFIGURE}")

    def describe_source(self) -> str:
        try:
            static = self._static()
        except CredentialsError as exc:
            return f"broken: {exc}"
        if static is not None:
            return static.describe_source()
        if self._role is not None:
            return self._role.describe_source()
        return f"none found. {HOW_TO_CONFIGURE}"


def as_provider(credentials: Credentials | CredentialsProvider | None) -> CredentialsProvider:
    """What the client accepts, made uniform: None means the default chain."""
    if credentials is None:
        return CredentialChain()
    if isinstance(credentials, Credentials):
        return StaticProvider(credentials)
    return credentials
