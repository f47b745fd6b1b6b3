"""Token signing with an Ed25519 key: the gateway holds the private half, services only the public one."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kit.auth import ALGORITHM


def generate_keypair() -> tuple[str, str]:
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return private, public


def ensure_keypair(directory: Path) -> tuple[Path, Path]:
    """First run of the embedded default: make a key pair once and keep it (private key mode 0600)."""
    directory.mkdir(parents=True, exist_ok=True)
    private_file, public_file = directory / "jwt-private.pem", directory / "jwt-public.pem"
    if not private_file.exists() or not public_file.exists():
        private, public = generate_keypair()
        private_file.touch(mode=0o600)
        private_file.write_text(private)
        public_file.write_text(public)
    return private_file, public_file


class TokenSigner:
    def __init__(self, private_key: str, *, issuer: str, audience: str, ttl_seconds: int) -> None:
        self._key = private_key
        self.issuer = issuer
        self.audience = audience
        self.ttl_seconds = ttl_seconds

    def sign(self, *, client_id: str, region: str, scopes: list[str]) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer, "aud": self.audience, "sub": client_id, "iat": now, "nbf": now,
            "exp": now + self.ttl_seconds, "jti": uuid.uuid4().hex, "region": region, "scope": " ".join(scopes),
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)
