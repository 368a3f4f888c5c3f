"""RSA key pairs in pure Python: generation, PKCS#1 PEM and OpenSSH public-key encoding.

CreateKeyPair must hand back a private key that ``ssh``, ``ssh-keygen`` and ``openssl``
accept, and the runtime dependencies are only mcp/httpx/pydantic/anyio, so the sandbox
generates RSA keys itself: random odd candidates, trial division by small primes, then
Miller–Rabin; the private key is DER-encoded by hand (``RSAPrivateKey`` of RFC 8017
appendix A.1.2) and wrapped in PEM; the public key uses the RFC 4253 ``ssh-rsa`` wire
format. ImportKeyPair uses :func:`parse_openssh_public_key` to refuse malformed keys the
way the real service does. This is emulator-grade key generation (a CSPRNG, standard
parameters), not a hardened cryptographic library: no constant-time arithmetic.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import random
from dataclasses import dataclass

PUBLIC_EXPONENT = 65537
DEFAULT_BITS = 2048
#: Keys the sandbox accepts on import: below this an RSA key is not worth pretending about.
MIN_IMPORT_BITS = 1024
#: Miller–Rabin rounds for random candidates of >= 512 bits: FIPS 186-5 (table B.1) asks
#: 5 for the 1024-bit primes of a 2048-bit key (error <= 2**-100); 8 leaves a margin.
_ROUNDS_LARGE = 8
#: Rounds for anything smaller (tests, odd inputs): error <= 4**-40.
_ROUNDS_SMALL = 40


def _small_primes(limit: int) -> tuple[int, ...]:
    sieve = bytearray([1]) * limit
    sieve[0:2] = b"\x00\x00"
    for i in range(2, int(limit**0.5) + 1):
        if sieve[i]:
            sieve[i * i :: i] = bytearray(len(sieve[i * i :: i]))
    return tuple(i for i, flag in enumerate(sieve) if flag)


_SMALL_PRIMES = _small_primes(2000)
#: The product of the primes below 2**14: one gcd rules a candidate out as fast as
#: trial division by all of them, and leaves ~10% of odd candidates for Miller–Rabin.
_PRIMORIAL = math.prod(_small_primes(2**14))


def is_probable_prime(n: int, rng: random.Random, rounds: int | None = None) -> bool:
    """Miller–Rabin with ``rounds`` random bases, after trial division by small primes."""
    if n < 2:
        return False
    for p in _SMALL_PRIMES:
        if n % p == 0:
            return n == p
    if rounds is None:
        rounds = _ROUNDS_LARGE if n.bit_length() >= 512 else _ROUNDS_SMALL
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(rounds):
        a = rng.randrange(2, n - 1)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _random_prime(bits: int, rng: random.Random) -> int:
    """A probable prime of exactly ``bits`` bits with the top two bits set.

    Setting the two top bits makes the product of two such primes exactly ``2*bits``
    long; ``p - 1`` must be coprime with the public exponent for ``d`` to exist.
    """
    while True:
        candidate = rng.getrandbits(bits) | (0b11 << (bits - 2)) | 1
        if (candidate - 1) % PUBLIC_EXPONENT == 0 or math.gcd(candidate, _PRIMORIAL) != 1:
            continue
        if is_probable_prime(candidate, rng):
            return candidate


@dataclass(frozen=True)
class RSAKey:
    """An RSA private key's numbers. ``repr`` never shows the secret ones."""

    n: int
    e: int
    d: int
    p: int
    q: int

    def __repr__(self) -> str:
        return f"RSAKey(bits={self.n.bit_length()}, fingerprint={fingerprint(self.n, self.e)})"

    @property
    def bits(self) -> int:
        return self.n.bit_length()


def generate_rsa_key(bits: int = DEFAULT_BITS, rng: random.Random | None = None) -> RSAKey:
    """A fresh RSA key of ``bits`` bits (``rng`` defaults to the OS CSPRNG)."""
    if bits < 512 or bits % 2:
        raise ValueError(f"RSA key size must be an even number of bits >= 512, not {bits}")
    source = rng if rng is not None else random.SystemRandom()
    while True:
        p = _random_prime(bits // 2, source)
        q = _random_prime(bits // 2, source)
        if p == q:
            continue
        n = p * q
        if n.bit_length() != bits:
            continue
        phi = (p - 1) * (q - 1)
        d = pow(PUBLIC_EXPONENT, -1, phi)
        return RSAKey(n=n, e=PUBLIC_EXPONENT, d=d, p=max(p, q), q=min(p, q))


# -- DER (only what RSAPrivateKey needs: INTEGER and SEQUENCE) -----------------------------


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _der_integer(value: int) -> bytes:
    if value < 0:
        raise ValueError("RSA key numbers are non-negative")
    # One extra byte keeps the sign bit clear (DER INTEGERs are two's complement).
    body = value.to_bytes(value.bit_length() // 8 + 1, "big")
    return b"\x02" + _der_length(len(body)) + body


def _der_sequence(*items: bytes) -> bytes:
    body = b"".join(items)
    return b"\x30" + _der_length(len(body)) + body


def private_key_der(key: RSAKey) -> bytes:
    """PKCS#1 ``RSAPrivateKey`` (two-prime, version 0) in DER."""
    return _der_sequence(
        _der_integer(0),
        _der_integer(key.n),
        _der_integer(key.e),
        _der_integer(key.d),
        _der_integer(key.p),
        _der_integer(key.q),
        _der_integer(key.d % (key.p - 1)),
        _der_integer(key.d % (key.q - 1)),
        _der_integer(pow(key.q, -1, key.p)),
    )


def private_key_pem(key: RSAKey) -> str:
    """The ``-----BEGIN RSA PRIVATE KEY-----`` form ``ssh`` and ``openssl`` read."""
    body = base64.b64encode(private_key_der(key)).decode("ascii")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join(
        ["-----BEGIN RSA PRIVATE KEY-----", *lines, "-----END RSA PRIVATE KEY-----", ""]
    )


# -- OpenSSH public keys (RFC 4253 section 6.6) --------------------------------------------


def _ssh_string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def _ssh_mpint(value: int) -> bytes:
    body = value.to_bytes(value.bit_length() // 8 + 1, "big") if value else b""
    return _ssh_string(body)


def _public_blob(n: int, e: int) -> bytes:
    return _ssh_string(b"ssh-rsa") + _ssh_mpint(e) + _ssh_mpint(n)


def openssh_public_key(key: RSAKey, comment: str = "") -> str:
    """``ssh-rsa AAAA... comment``, the line ``authorized_keys`` holds."""
    text = "ssh-rsa " + base64.b64encode(_public_blob(key.n, key.e)).decode("ascii")
    return f"{text} {comment}" if comment else text


def fingerprint(n: int, e: int) -> str:
    """OpenSSH's ``SHA256:...`` fingerprint of a public key (safe to log)."""
    digest = hashlib.sha256(_public_blob(n, e)).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


@dataclass(frozen=True)
class PublicKey:
    """A parsed OpenSSH RSA public key."""

    n: int
    e: int
    comment: str

    @property
    def bits(self) -> int:
        return self.n.bit_length()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.n, self.e)


class PublicKeyError(ValueError):
    """The text is not an OpenSSH RSA public key; the message says what is wrong."""


def _read_string(blob: bytes, offset: int) -> tuple[bytes, int]:
    if offset + 4 > len(blob):
        raise PublicKeyError("the key data ends before a length field")
    length = int.from_bytes(blob[offset : offset + 4], "big")
    end = offset + 4 + length
    if end > len(blob):
        raise PublicKeyError("the key data is shorter than a field's declared length")
    return blob[offset + 4 : end], end


def parse_openssh_public_key(text: str) -> PublicKey:
    """Parse ``ssh-rsa BASE64 [comment]``; raises :class:`PublicKeyError` explaining why not."""
    parts = text.strip().split(None, 2)
    if len(parts) < 2:
        raise PublicKeyError("expected `ssh-rsa <base64 key data> [comment]`")
    kind, data = parts[0], parts[1]
    if kind != "ssh-rsa":
        raise PublicKeyError(f"expected an `ssh-rsa` key, got `{kind[:20]}`")
    try:
        blob = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PublicKeyError("the key data is not valid base64") from exc
    name, offset = _read_string(blob, 0)
    if name != b"ssh-rsa":
        raise PublicKeyError("the key data does not describe an ssh-rsa key")
    e_bytes, offset = _read_string(blob, offset)
    n_bytes, offset = _read_string(blob, offset)
    if offset != len(blob):
        raise PublicKeyError("unexpected bytes after the RSA modulus")
    e = int.from_bytes(e_bytes, "big")
    n = int.from_bytes(n_bytes, "big")
    if e < 3 or e % 2 == 0:
        raise PublicKeyError("the RSA public exponent must be odd and at least 3")
    if n.bit_length() < MIN_IMPORT_BITS:
        raise PublicKeyError(
            f"the RSA modulus has {n.bit_length()} bits; at least {MIN_IMPORT_BITS} expected"
        )
    return PublicKey(n=n, e=e, comment=parts[2] if len(parts) > 2 else "")
