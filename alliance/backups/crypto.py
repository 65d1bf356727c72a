"""Streaming authenticated encryption of a backup archive (REL-07).

A backup can be larger than memory, so it is sealed in chunks, as ``age`` and Tink's streaming
AEAD do, with AES-256-GCM from ``cryptography``:

    header   magic "ALLIANCE-BACKUP\\n" (16) | format 1 (1) | chunk size (4, big-endian)
             | salt (32, random per file) | key check (32)
    chunks   AES-256-GCM(chunk of plaintext), each 16 bytes longer than its plaintext

- keys: HKDF-SHA256 of ``ALLIANCE_BACKUP_KEY`` with the file's salt gives a fresh 256-bit
  encryption key per file and a key-check key; the key check (an HMAC) tells "wrong key" apart
  from "altered file", which GCM alone cannot;
- nonce of chunk *i*: *i* as 11 bytes big-endian, then 1 for the last chunk and 0 otherwise,
  so a chunk moved, dropped, repeated or cut off at the end fails authentication;
- every chunk authenticates the header as associated data, so the header cannot be swapped;
- every chunk but the last holds exactly ``chunk size`` bytes of plaintext; the writer keeps
  the last one back until it is closed.

A reader hands out only plaintext that has passed authentication, chunk by chunk.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import struct
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from alliance.backups.errors import BackupKeyWrong, BackupTampered, BackupUnreadable

MAGIC = b"ALLIANCE-BACKUP\n"
FORMAT = 1
CHUNK_SIZE = 1 << 20
MAXIMUM_CHUNK_SIZE = 1 << 24  # what a reader accepts from a header: 16 MiB of memory at most
TAG_SIZE = 16
HEADER = struct.Struct(">16sBI32s32s")
_INFO = b"alliance backup v1"
_KEY_CHECK = b"alliance backup key check"


def _keys(secret: str, salt: bytes) -> tuple[bytes, bytes]:
    """The file's encryption key and key-check key, from the backup key and the file's salt."""
    material = HKDF(algorithm=hashes.SHA256(), length=64, salt=salt, info=_INFO).derive(
        secret.encode("utf-8")
    )
    return material[:32], material[32:]


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _read_exactly(raw: IO[bytes], size: int) -> bytes:
    """Up to ``size`` bytes: fewer only at the end of the file (pipes may return short reads)."""
    parts, left = [], size
    while left:
        part = raw.read(left)
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


class EncryptingWriter:
    """A write-only file object that seals what is written to it into ``raw``.

    Call ``close()`` to seal the last chunk: a file whose writer was not closed does not
    decrypt (its end is missing), so a backup cut short never passes for a whole one.
    """

    def __init__(self, raw: IO[bytes], secret: str, *, chunk_size: int = CHUNK_SIZE) -> None:
        if not 0 < chunk_size <= MAXIMUM_CHUNK_SIZE:
            raise ValueError("chunk size out of range")
        salt = os.urandom(32)
        key, check_key = _keys(secret, salt)
        check = hmac.new(check_key, _KEY_CHECK, hashlib.sha256).digest()
        self._header = HEADER.pack(MAGIC, FORMAT, chunk_size, salt, check)
        self._raw = raw
        self._aead = AESGCM(key)
        self._chunk_size = chunk_size
        self._buffer = bytearray()
        self._counter = 0
        self._closed = False
        raw.write(self._header)

    def write(self, data: bytes) -> int:
        if self._closed:
            raise ValueError("write to a closed backup")
        self._buffer += data
        # Strictly more than a chunk: the last chunk stays here until close().
        while len(self._buffer) > self._chunk_size:
            self._seal(bytes(self._buffer[: self._chunk_size]), last=False)
            del self._buffer[: self._chunk_size]
        return len(data)

    def flush(self) -> None:
        self._raw.flush()

    def close(self) -> None:
        if not self._closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._closed = True
            self._raw.flush()

    def _seal(self, plaintext: bytes, *, last: bool) -> None:
        nonce = _nonce(self._counter, last)
        self._raw.write(self._aead.encrypt(nonce, plaintext, self._header))
        self._counter += 1


class DecryptingReader:
    """A read-only file object of the plaintext sealed in ``raw``, authenticated chunk by chunk.

    Raises ``BackupUnreadable`` (not a backup, unknown format), ``BackupKeyWrong`` (another
    key) or ``BackupTampered`` (a chunk fails authentication: altered, reordered or cut off).
    ``finished`` is true once the last chunk has been read and authenticated.
    """

    def __init__(self, raw: IO[bytes], secret: str) -> None:
        header = _read_exactly(raw, HEADER.size)
        if len(header) < HEADER.size or not header.startswith(MAGIC):
            raise BackupUnreadable("this file is not an Alliance backup")
        _magic, version, chunk_size, salt, check = HEADER.unpack(header)
        if version != FORMAT:
            raise BackupUnreadable(f"backup format {version} is not one this Alliance reads")
        if not 0 < chunk_size <= MAXIMUM_CHUNK_SIZE:
            raise BackupTampered("the backup's header is damaged (chunk size out of range)")
        key, check_key = _keys(secret, salt)
        expected = hmac.new(check_key, _KEY_CHECK, hashlib.sha256).digest()
        if not hmac.compare_digest(expected, check):
            raise BackupKeyWrong(
                "this backup was encrypted with another ALLIANCE_BACKUP_KEY "
                "(or its header was altered)"
            )
        self._raw = raw
        self._header = header
        self._aead = AESGCM(key)
        self._sealed_size = chunk_size + TAG_SIZE
        self._counter = 0
        self._pending = _read_exactly(raw, self._sealed_size)
        self._plain, self._offset = b"", 0
        self.finished = False

    def _open_next(self) -> bytes:
        current = self._pending
        self._pending = _read_exactly(self._raw, self._sealed_size)
        last = not self._pending
        try:
            plaintext = self._aead.decrypt(_nonce(self._counter, last), current, self._header)
        except InvalidTag:
            raise BackupTampered(
                f"chunk {self._counter + 1} of the backup failed authentication: the file was "
                "altered, damaged or cut short, and nothing in it can be trusted"
            ) from None
        self._counter += 1
        self.finished = last
        return plaintext

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that is left when negative); fewer only at the end."""
        parts, wanted = [], size
        while size < 0 or wanted > 0:
            if self._offset >= len(self._plain):
                if self.finished:
                    break
                self._plain, self._offset = self._open_next(), 0
                continue
            end = len(self._plain) if size < 0 else min(len(self._plain), self._offset + wanted)
            parts.append(self._plain[self._offset : end])
            wanted -= end - self._offset
            self._offset = end
        return b"".join(parts)

    def readable(self) -> bool:
        return True

    def seek(self, offset: int, /) -> int:
        raise io.UnsupportedOperation("a backup is read once, from its start to its end")

    def close(self) -> None:
        self._plain, self._offset = b"", 0
