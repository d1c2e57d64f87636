"""A storage whose disk fills up after a few bytes: the deterministic full disk."""

import errno
import os

from portal.storage import AtomicFileSystemStorage


class FullDiskStorage(AtomicFileSystemStorage):
    """Writes the first 1,000 bytes of a file, then the disk is full (ENOSPC)."""

    ROOM = 1000

    def _write(self, fh, chunk: bytes) -> None:
        room = self.ROOM - fh.tell()
        if len(chunk) > room:
            fh.write(chunk[: max(room, 0)])
            fh.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        fh.write(chunk)
