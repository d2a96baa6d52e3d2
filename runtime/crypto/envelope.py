"""mlflow's envelope encryption of gateway secrets, byte for byte.

- KEK = PBKDF2-HMAC-SHA256(passphrase, salt = b"mlflow-secrets-kek-v1-2025" + version as 4
  big-endian bytes, 600,000 iterations, 32 bytes). The version in the salt gives a new KEK per
  version even for a reused passphrase.
- each secret has its own random 32-byte DEK; encrypted_value = nonce(12) + AES-256-GCM(DEK,
  plaintext, aad = "{secret_id}|{secret_name}"), tag appended;
- wrapped_dek = nonce(12) + AES-256-GCM(KEK, DEK, no aad).
"""

import json
import os

KEK_SALT = b"mlflow-secrets-kek-v1-2025"
PBKDF2_ITERATIONS = 600_000
NONCE_BYTES = 12
KEY_BYTES = 32
DEFAULT_PASSPHRASE = "mlflow-default-kek-passphrase-for-development-only"
PASSPHRASE_ENV = "MLFLOW_CRYPTO_KEK_PASSPHRASE"
VERSION_ENV = "MLFLOW_CRYPTO_KEK_VERSION"


class DecryptionError(ValueError):
    """A blob that does not open with this key (wrong passphrase, version or tampered data)."""


def derive_kek(passphrase, version):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=KEY_BYTES,
                     salt=KEK_SALT + int(version).to_bytes(4, "big"), iterations=PBKDF2_ITERATIONS)
    return kdf.derive(passphrase.encode("utf-8"))


def kek_settings(environ):
    """(passphrase, version, is the development default) from MLFLOW_CRYPTO_KEK_* as mlflow reads them."""
    passphrase = environ.get(PASSPHRASE_ENV) or DEFAULT_PASSPHRASE
    raw = environ.get(VERSION_ENV) or "1"
    try:
        version = int(raw)
    except ValueError:
        raise ValueError(f"{VERSION_ENV} must be an integer, got {raw!r}") from None
    return passphrase, version, passphrase == DEFAULT_PASSPHRASE


def _seal(key, plaintext, aad):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _open(key, blob, aad):
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if len(blob) <= NONCE_BYTES:
        raise DecryptionError("The encrypted data is too short.")
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except InvalidTag:
        raise DecryptionError("The key does not open this data (wrong passphrase or version, or altered data).") from None


def associated_data(secret_id, secret_name):
    return f"{secret_id}|{secret_name}".encode("utf-8")


def wrap_dek(dek, kek):
    return _seal(kek, dek, None)


def unwrap_dek(wrapped, kek):
    return _open(kek, wrapped, None)


def encrypt_secret(value, kek, secret_id, secret_name):
    """(encrypted_value, wrapped_dek) for a value; a dict is stored as its JSON text, as mlflow does."""
    text = value if isinstance(value, str) else json.dumps(value)
    dek = os.urandom(KEY_BYTES)
    return _seal(dek, text.encode("utf-8"), associated_data(secret_id, secret_name)), wrap_dek(dek, kek)


def decrypt_secret(encrypted_value, wrapped_dek, kek, secret_id, secret_name):
    """The stored value: a dict when it is JSON (mlflow always stores a JSON object), else the text."""
    plaintext = _open(unwrap_dek(wrapped_dek, kek), encrypted_value, associated_data(secret_id, secret_name))
    text = plaintext.decode("utf-8")
    try:
        return json.loads(text)
    except ValueError:
        return text


def rewrap(wrapped_dek, old_kek, new_kek):
    return wrap_dek(unwrap_dek(wrapped_dek, old_kek), new_kek)


def mask_value(value):
    """mlflow's display mask: the first 3 and last 4 characters, '***' for short or non-text values."""
    if not isinstance(value, str) or len(value) < 8:
        return "***"
    return f"{value[:3]}...{value[-4:]}"


def mask_secret(secret):
    return {key: mask_value(value) for key, value in secret.items()}
