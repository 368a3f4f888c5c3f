"""Pure-Python RSA keys: primality, PKCS#1 DER/PEM, OpenSSH public keys and their parser."""

from __future__ import annotations

import base64
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lighthouse_mcp.sandbox.families import sshkeys

KNOWN_PRIMES = [2, 3, 5, 7919, 104729, 2**61 - 1, 2**89 - 1, 2**127 - 1]
KNOWN_COMPOSITES = [1, 4, 561, 1105, 8911, 3215031751, (2**61 - 1) * (2**31 - 1), 2**64 + 1]


@pytest.mark.parametrize("n", KNOWN_PRIMES)
def test_primes_are_recognised(n: int) -> None:
    assert sshkeys.is_probable_prime(n, random.Random(1))


@pytest.mark.parametrize("n", KNOWN_COMPOSITES)
def test_composites_including_carmichael_numbers_are_rejected(n: int) -> None:
    assert not sshkeys.is_probable_prime(n, random.Random(1))


@pytest.fixture(scope="module")
def key() -> sshkeys.RSAKey:
    return sshkeys.generate_rsa_key(1024, random.Random(20200324))


def test_generated_key_is_a_valid_rsa_key(key: sshkeys.RSAKey) -> None:
    assert key.bits == 1024
    assert key.p * key.q == key.n and key.p != key.q
    assert (key.e * key.d) % ((key.p - 1) * (key.q - 1)) == 1
    assert pow(pow(42, key.e, key.n), key.d, key.n) == 42


def test_repr_never_shows_private_numbers(key: sshkeys.RSAKey) -> None:
    text = repr(key)
    assert str(key.d) not in text and str(key.p) not in text
    assert "SHA256:" in text


@given(st.integers(min_value=0, max_value=2**2100))
def test_der_integers_round_trip(value: int) -> None:
    encoded = sshkeys._der_integer(value)
    assert encoded[0] == 0x02
    first = encoded[1]
    if first < 0x80:
        length, body = first, encoded[2:]
    else:
        count = first & 0x7F
        length = int.from_bytes(encoded[2 : 2 + count], "big")
        body = encoded[2 + count :]
    assert len(body) == length
    assert body[0] < 0x80  # the sign bit is clear: a non-negative INTEGER
    assert int.from_bytes(body, "big") == value


def test_pem_layout(key: sshkeys.RSAKey) -> None:
    pem = sshkeys.private_key_pem(key)
    lines = pem.strip().split("\n")
    assert lines[0] == "-----BEGIN RSA PRIVATE KEY-----"
    assert lines[-1] == "-----END RSA PRIVATE KEY-----"
    assert all(len(line) == 64 for line in lines[1:-2]) and len(lines[-2]) <= 64
    assert base64.b64decode("".join(lines[1:-1])) == sshkeys.private_key_der(key)


def test_public_key_round_trips_through_the_parser(key: sshkeys.RSAKey) -> None:
    text = sshkeys.openssh_public_key(key, "ops@example")
    assert text.startswith("ssh-rsa AAAAB3NzaC1yc2E")
    parsed = sshkeys.parse_openssh_public_key(text)
    assert (parsed.n, parsed.e, parsed.comment) == (key.n, key.e, "ops@example")
    assert parsed.fingerprint == sshkeys.fingerprint(key.n, key.e)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "expected"),
        ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA", "ssh-rsa"),
        ("ssh-rsa %%%", "base64"),
        ("ssh-rsa " + base64.b64encode(b"\x00\x00\x00\x07ssh-dss").decode(), "ssh-rsa key"),
        (
            "ssh-rsa " + base64.b64encode(b"\x00\x00\x00\x07ssh-rsa\x00\x00\x00\x01").decode(),
            "shorter",
        ),
    ],
)
def test_malformed_public_keys_say_why(text: str, why: str) -> None:
    with pytest.raises(sshkeys.PublicKeyError, match=why):
        sshkeys.parse_openssh_public_key(text)


def test_small_and_even_exponent_keys_are_refused() -> None:
    small = sshkeys.generate_rsa_key(512, random.Random(3))
    with pytest.raises(sshkeys.PublicKeyError, match="at least 1024"):
        sshkeys.parse_openssh_public_key(sshkeys.openssh_public_key(small))
    blob = sshkeys._ssh_string(b"ssh-rsa") + sshkeys._ssh_mpint(4) + sshkeys._ssh_mpint(2**1100 + 1)
    with pytest.raises(sshkeys.PublicKeyError, match="exponent"):
        sshkeys.parse_openssh_public_key("ssh-rsa " + base64.b64encode(blob).decode())


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen not installed")
def test_openssh_accepts_the_key_and_agrees_on_the_fingerprint(
    key: sshkeys.RSAKey, tmp_path: Path
) -> None:
    private = tmp_path / "id_rsa"
    private.write_text(sshkeys.private_key_pem(key))
    private.chmod(0o600)
    derived = subprocess.run(
        ["ssh-keygen", "-y", "-f", str(private)], check=True, capture_output=True, text=True
    ).stdout
    assert derived.split()[:2] == sshkeys.openssh_public_key(key).split()
    public = tmp_path / "id_rsa.pub"
    public.write_text(sshkeys.openssh_public_key(key, "x") + "\n")
    listing = subprocess.run(
        ["ssh-keygen", "-l", "-f", str(public)], check=True, capture_output=True, text=True
    ).stdout
    assert sshkeys.fingerprint(key.n, key.e) in listing
