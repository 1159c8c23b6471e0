"""The embedded broker: kombu's filesystem transport, with messages published atomically.

kombu (5.x) creates a message file under its final name and then writes it, while a consumer
polling the folder moves away any file with that name: a consumer can take a file that is still
empty, fail on ``json.loads('')`` and stop consuming (seen in the end-to-end tests at a few
messages a second, with the 0.02 s polling Podium uses), and the message is lost. Here a message
is written under a name the consumer ignores and renamed into the queue when complete (a rename
is atomic on POSIX), so a consumer sees whole messages or none.

Selected by settings (``CELERY_BROKER_TRANSPORT``) whenever the broker URL is ``filesystem://``,
for every process that publishes: web, worker, beat.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.json import dumps


class AtomicChannel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # A leading dot: ``_get`` takes only files whose name after the first '.' is
        # '<queue>.msg', so it never picks this one up half written.
        partial = os.path.join(self.data_folder_out, f".{name}.partial")
        try:
            with open(partial, "wb") as out:
                out.write(dumps(payload).encode())
            os.replace(partial, final)
        except OSError as exc:
            try:
                os.unlink(partial)
            except OSError:
                pass
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class AtomicFilesystemTransport(filesystem.Transport):
    Channel = AtomicChannel
