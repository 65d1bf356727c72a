"""What can go wrong with a backup, each with a message for the person running the command."""

from __future__ import annotations


class BackupError(Exception):
    """A backup, restore or verification that cannot go on; the message says why."""


class BackupUnreadable(BackupError):
    """The file is not an Alliance backup, or one of a format this version does not read."""


class BackupKeyWrong(BackupError):
    """The file was encrypted with another ``ALLIANCE_BACKUP_KEY``."""


class BackupTampered(BackupError):
    """A part of the file failed authentication: altered, damaged, reordered or cut short."""


class DatabaseNotEmpty(BackupError):
    """``alliance restore`` was pointed at a database that already holds records."""


class ToolMissing(BackupError):
    """``pg_dump`` or ``pg_restore`` could not be found."""
