"""Encrypted backups, restore and the restore drill (REL-07): ``alliance backup``,
``alliance restore``, ``alliance backup verify``. No models: the backup is of the others'.

services.py (backup, restore, verify), archive.py (the file: manifest, checkpoints, dump),
crypto.py (streaming AES-256-GCM), databases.py (PostgreSQL and SQLite), documents.py (every
signed document's signature), check.py (the verifiers, in a process on the restored database).
"""
