"""The backup's streaming encryption: what it seals reads back only whole, in order, with the
same key (REL-07)."""

from __future__ import annotations

import io
import os

import pytest

from alliance.backups.crypto import HEADER, TAG_SIZE, DecryptingReader, EncryptingWriter
from alliance.backups.errors import BackupKeyWrong, BackupTampered, BackupUnreadable

KEY = "a-backup-key-used-only-by-these-tests-0123456789-abcdefghij"
CHUNK = 64
PLAIN = os.urandom(CHUNK * 5 + 17)  # five whole chunks and a short last one


def seal(data: bytes = PLAIN, key: str = KEY, chunk_size: int = CHUNK) -> bytes:
    out = io.BytesIO()
    writer = EncryptingWriter(out, key, chunk_size=chunk_size)
    # in uneven pieces, as gzip writes
    for start in range(0, len(data), 23):
        writer.write(data[start : start + 23])
    writer.close()
    return out.getvalue()


def unseal(sealed: bytes, key: str = KEY) -> bytes:
    reader = DecryptingReader(io.BytesIO(sealed), key)
    data = b""
    while part := reader.read(50):
        data += part
    assert reader.finished
    return data


def chunk_at(index: int) -> slice:
    start = HEADER.size + index * (CHUNK + TAG_SIZE)
    return slice(start, start + CHUNK + TAG_SIZE)


def test_what_is_sealed_reads_back() -> None:
    sealed = seal()

    assert unseal(sealed) == PLAIN
    assert PLAIN[:100] not in sealed
    # six chunks, each 16 bytes of tag longer than its plaintext
    assert len(sealed) == HEADER.size + len(PLAIN) + 6 * TAG_SIZE


def test_two_backups_of_the_same_data_differ() -> None:
    """A fresh salt, so a fresh key, per file: nothing repeats across backups."""
    assert seal()[HEADER.size :] != seal()[HEADER.size :]


def test_a_length_of_whole_chunks_and_an_empty_stream_read_back() -> None:
    assert unseal(seal(PLAIN[: CHUNK * 3])) == PLAIN[: CHUNK * 3]
    assert unseal(seal(b"")) == b""


@pytest.mark.parametrize("position", [HEADER.size + 1, HEADER.size + CHUNK * 2 + 40, -1])
def test_a_flipped_byte_fails_authentication(position: int) -> None:
    """REL-07: one changed bit anywhere after the header and nothing is handed out."""
    sealed = bytearray(seal())
    sealed[position] ^= 0x01

    with pytest.raises(BackupTampered, match="failed authentication"):
        unseal(bytes(sealed))


def test_chunks_swapped_fail_authentication() -> None:
    sealed = bytearray(seal())
    first, second = bytes(sealed[chunk_at(1)]), bytes(sealed[chunk_at(2)])
    sealed[chunk_at(1)], sealed[chunk_at(2)] = second, first

    with pytest.raises(BackupTampered):
        unseal(bytes(sealed))


@pytest.mark.parametrize(
    "cut", ["after the header", "at a chunk boundary", "inside a chunk", "the last chunk"]
)
def test_a_file_cut_short_fails(cut: str) -> None:
    sealed = seal()
    end = {
        "after the header": HEADER.size,
        "at a chunk boundary": chunk_at(3).start,
        "inside a chunk": chunk_at(3).start + 10,
        "the last chunk": chunk_at(5).start,
    }[cut]

    with pytest.raises(BackupTampered):
        unseal(sealed[:end])


def test_bytes_added_after_the_end_fail() -> None:
    with pytest.raises(BackupTampered):
        unseal(seal() + b"more")


def test_another_key_is_named_as_such() -> None:
    with pytest.raises(BackupKeyWrong, match="another ALLIANCE_BACKUP_KEY"):
        unseal(seal(), key=KEY + "x")


def test_an_altered_header_is_refused() -> None:
    sealed = bytearray(seal())
    sealed[30] ^= 0x01  # in the salt: the key check no longer matches

    with pytest.raises(BackupKeyWrong):
        unseal(bytes(sealed))


def test_a_file_that_is_not_a_backup_is_refused() -> None:
    with pytest.raises(BackupUnreadable, match="not an Alliance backup"):
        unseal(b"PGDMP" + bytes(200))
