"""WeCom callback message encryption (企业微信回调加解密): AES-256-CBC + SHA1 msg_signature.

Layout of the plaintext before padding: 16 random bytes, 4-byte big-endian message length, the
message, then the receive id (the CorpID for a self-built app). PKCS#7 pads to a multiple of 32
bytes; the IV is the first 16 bytes of the key, as WeCom specifies.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_PAD_BLOCK = 32
_AES_BLOCK = 16


class WeComCryptoError(Exception):
    """The ciphertext is not a well-formed WeCom message for this app."""


class InvalidSignature(WeComCryptoError):
    """msg_signature does not match token/timestamp/nonce/ciphertext."""


def sign(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """msg_signature: SHA1 hex of the four strings sorted and concatenated."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()


class WeComCrypto:
    def __init__(self, token: str, encoding_aes_key: str, receive_id: str):
        try:
            key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except binascii.Error as error:
            raise ValueError("EncodingAESKey is not base64") from error
        if len(key) != 32:
            raise ValueError("EncodingAESKey must decode to 32 bytes")
        self._token = token
        self._key = key
        self._receive_id = receive_id.encode()

    def signature(self, timestamp: str, nonce: str, encrypted: str) -> str:
        return sign(self._token, timestamp, nonce, encrypted)

    def verify(self, signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        expected = self.signature(timestamp, nonce, encrypted)
        if not hmac.compare_digest(expected.encode(), signature.lower().encode()):
            raise InvalidSignature()

    def decrypt_verified(self, signature: str, timestamp: str, nonce: str, encrypted: str) -> str:
        self.verify(signature, timestamp, nonce, encrypted)
        return self.decrypt(encrypted)

    def encrypt(self, message: str, *, random_prefix: bytes | None = None) -> str:
        body = message.encode()
        prefix = random_prefix if random_prefix is not None else os.urandom(16)
        plain = _pad(prefix + struct.pack(">I", len(body)) + body + self._receive_id)
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()

    def decrypt(self, encrypted: str) -> str:
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except binascii.Error as error:
            raise WeComCryptoError("ciphertext is not base64") from error
        if not raw or len(raw) % _AES_BLOCK:
            raise WeComCryptoError("ciphertext length is not a multiple of the AES block")
        decryptor = self._cipher().decryptor()
        content = _unpad(decryptor.update(raw) + decryptor.finalize())[16:]
        if len(content) < 4:
            raise WeComCryptoError("plaintext too short")
        (length,) = struct.unpack(">I", content[:4])
        if 4 + length > len(content):
            raise WeComCryptoError("message length exceeds plaintext")
        if not hmac.compare_digest(content[4 + length :], self._receive_id):
            raise WeComCryptoError("receive id does not match this app")
        try:
            return content[4 : 4 + length].decode()
        except UnicodeDecodeError as error:
            raise WeComCryptoError("message is not UTF-8") from error

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:_AES_BLOCK]))


def _pad(data: bytes) -> bytes:
    count = _PAD_BLOCK - len(data) % _PAD_BLOCK
    return data + bytes([count]) * count


def _unpad(data: bytes) -> bytes:
    count = data[-1]
    if not 1 <= count <= _PAD_BLOCK or data[-count:] != bytes([count]) * count:
        raise WeComCryptoError("bad PKCS#7 padding")
    return data[:-count]
