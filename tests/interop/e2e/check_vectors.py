#!/usr/bin/env python3
"""An independent implementation of Colonies Edge's end-to-end encryption format (protocol
§16), written from docs/protocol.md alone, checked against core/tests/fixtures/e2e-vectors.json.

For every vector it re-derives the expected string and opens it again:

- seals: ce1:<version>:<base64 of nonce(24) || XChaCha20-Poly1305 ciphertext || tag>, with the
  associated data "ce1:<colony>:<version>" (libsodium through PyNaCl);
- wraps: cw1:<version>:<base64 of ephemeral public key(65) || nonce(24) || sealed key(48)>: the
  x coordinate of secp256k1 ECDH, HKDF-SHA256 with salt = ephemeral public key || member public
  key and info "colonies-edge/e2e/wrap/v1", XChaCha20-Poly1305 with the associated data
  "cw1:<version>" (OpenSSL through cryptography, libsodium through PyNaCl);
- negative cases: each must fail, and with the error the file names (malformed, no_key,
  forged, bad_public_key).

Usage: check_vectors.py [VECTORS]   (default: the file in the repository)
Exit status 0 when every vector agrees, 1 otherwise (one line per disagreement).
"""

import base64
import binascii
import json
import re
import sys
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from nacl.bindings import (
    crypto_aead_xchacha20poly1305_ietf_decrypt,
    crypto_aead_xchacha20poly1305_ietf_encrypt,
)
from nacl.exceptions import CryptoError

SEALED_PREFIX = "ce1:"
WRAPPED_PREFIX = "cw1:"
HKDF_INFO = b"colonies-edge/e2e/wrap/v1"
KEY_LEN = 32
NONCE_LEN = 24
TAG_LEN = 16
POINT_LEN = 65
WRAPPED_LEN = POINT_LEN + NONCE_LEN + KEY_LEN + TAG_LEN

DEFAULT_VECTORS = Path(__file__).resolve().parents[3] / "core/tests/fixtures/e2e-vectors.json"


class E2eError(Exception):
    """A string that does not open; `kind` is the error's name in the vectors."""

    def __init__(self, kind, detail):
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


def b64encode(data):
    """Standard alphabet, no '=' padding."""
    return base64.b64encode(data).decode("ascii").rstrip("=")


B64_TEXT = re.compile(r"[A-Za-z0-9+/]*")


def b64decode(text):
    """Standard alphabet, no padding, canonical (the unused bits of the last character zero)."""
    if not B64_TEXT.fullmatch(text) or len(text) % 4 == 1:
        raise E2eError("malformed", "base64")
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except binascii.Error as error:
        raise E2eError("malformed", f"base64: {error}") from error
    if b64encode(data) != text:
        raise E2eError("malformed", "base64 not canonical")
    return data


VERSION_TEXT = re.compile(r"0|[1-9][0-9]*")


def parse(text, prefix):
    """(version, bytes) of '<prefix><version>:<base64>'."""
    if not text.startswith(prefix):
        raise E2eError("malformed", "prefix")
    version, sep, body = text[len(prefix) :].partition(":")
    if not sep or not VERSION_TEXT.fullmatch(version) or int(version) > 0xFFFFFFFF:
        raise E2eError("malformed", "version")
    return int(version), b64decode(body)


def seal(key, version, colony, nonce, plaintext):
    aad = f"{SEALED_PREFIX}{colony}:{version}".encode()
    sealed = crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, aad, nonce, key)
    return f"{SEALED_PREFIX}{version}:{b64encode(nonce + sealed)}"


def open_sealed(key, key_version, colony, text):
    version, data = parse(text, SEALED_PREFIX)
    if len(data) < NONCE_LEN + TAG_LEN:
        raise E2eError("malformed", "too short")
    if version != key_version:
        raise E2eError("no_key", f"version {version}")
    aad = f"{SEALED_PREFIX}{colony}:{version}".encode()
    try:
        return crypto_aead_xchacha20poly1305_ietf_decrypt(
            data[NONCE_LEN:], aad, data[:NONCE_LEN], key
        )
    except CryptoError as error:
        raise E2eError("forged", "the AEAD refuses it") from error


def private_key(hex_text):
    return ec.derive_private_key(int(hex_text, 16), ec.SECP256K1())


def point(public):
    """The 65-byte uncompressed SEC1 form."""
    return public.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


def public_key(data):
    if len(data) != POINT_LEN or data[0] != 0x04:
        raise E2eError("bad_public_key", "not an uncompressed point")
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), data)
    except ValueError as error:
        raise E2eError("bad_public_key", "not on the curve") from error


def kek(secret, public, ephemeral_point, member_point):
    # cryptography's ECDH gives the raw x coordinate (no hashing), as the format wants.
    shared = secret.exchange(ec.ECDH(), public)
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_LEN,
        salt=ephemeral_point + member_point,
        info=HKDF_INFO,
    )
    return hkdf.derive(shared)


def wrap(data_key, version, member_point, ephemeral_secret, nonce):
    member = public_key(member_point)
    ephemeral_point = point(ephemeral_secret.public_key())
    key = kek(ephemeral_secret, member, ephemeral_point, member_point)
    aad = f"{WRAPPED_PREFIX}{version}".encode()
    sealed = crypto_aead_xchacha20poly1305_ietf_encrypt(data_key, aad, nonce, key)
    return f"{WRAPPED_PREFIX}{version}:{b64encode(ephemeral_point + nonce + sealed)}"


def unwrap(text, member_secret):
    version, data = parse(text, WRAPPED_PREFIX)
    if len(data) != WRAPPED_LEN:
        raise E2eError("malformed", "length")
    ephemeral_point = data[:POINT_LEN]
    nonce = data[POINT_LEN : POINT_LEN + NONCE_LEN]
    sealed = data[POINT_LEN + NONCE_LEN :]
    ephemeral = public_key(ephemeral_point)
    key = kek(member_secret, ephemeral, ephemeral_point, point(member_secret.public_key()))
    aad = f"{WRAPPED_PREFIX}{version}".encode()
    try:
        return version, crypto_aead_xchacha20poly1305_ietf_decrypt(sealed, aad, nonce, key)
    except CryptoError as error:
        raise E2eError("forged", "the AEAD refuses it") from error


def main():
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_VECTORS
    vectors = json.loads(path.read_text(encoding="utf-8"))
    problems = []

    def check(ok, label, what):
        if not ok:
            problems.append(f"{label}: {what}")

    for case in vectors["seals"]:
        label = f"seal {case['label']!r}"
        plaintext = bytes.fromhex(case["plaintext_hex"])
        if case["plaintext_utf8"] is not None:
            check(case["plaintext_utf8"].encode() == plaintext, label, "utf8 and hex differ")
        key = bytes.fromhex(case["key"])
        nonce = bytes.fromhex(case["nonce"])
        sealed = seal(key, case["version"], case["colony"], nonce, plaintext)
        check(sealed == case["sealed"], label, f"sealed\n  got  {sealed}\n  want {case['sealed']}")
        try:
            opened = open_sealed(key, case["version"], case["colony"], case["sealed"])
            check(opened == plaintext, label, "opens to another plaintext")
        except E2eError as error:
            check(False, label, f"does not open: {error}")

    for case in vectors["wraps"]:
        label = f"wrap {case['label']!r}"
        member = private_key(case["member_prvkey"])
        member_point = point(member.public_key())
        check(member_point.hex() == case["member_pubkey"], label, "member public key")
        ephemeral = private_key(case["ephemeral_prvkey"])
        check(point(ephemeral.public_key()).hex() == case["ephemeral_pubkey"], label, "ephemeral")
        data_key = bytes.fromhex(case["data_key"])
        wrapped = wrap(
            data_key,
            case["version"],
            bytes.fromhex(case["member_pubkey"]),
            ephemeral,
            bytes.fromhex(case["nonce"]),
        )
        check(
            wrapped == case["wrapped"], label, f"wrapped\n  got  {wrapped}\n  want {case['wrapped']}"
        )
        try:
            version, opened = unwrap(case["wrapped"], member)
            check((version, opened) == (case["version"], data_key), label, "unwraps to another key")
        except E2eError as error:
            check(False, label, f"does not unwrap: {error}")

    for case in vectors["negative"]:
        label = f"negative {case['op']} {case['label']!r}"
        try:
            if case["op"] == "open":
                open_sealed(bytes.fromhex(case["key"]), case["version"], case["colony"], case["input"])
            elif case["op"] == "unwrap":
                unwrap(case["input"], private_key(case["member_prvkey"]))
            else:
                check(False, label, "unknown op")
                continue
            check(False, label, f"succeeded; the vectors say {case['error']}")
        except E2eError as error:
            check(error.kind == case["error"], label, f"{error}; the vectors say {case['error']}")

    counts = {name: len(vectors[name]) for name in ("seals", "wraps", "negative")}
    for problem in problems:
        print(f"DISAGREES {problem}")
    summary = ", ".join(f"{n} {name}" for name, n in counts.items())
    if problems:
        print(f"{len(problems)} disagreement(s) in {path.name} ({summary})")
        return 1
    print(f"{path.name}: every vector agrees ({summary}) [Python, PyNaCl + cryptography]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
