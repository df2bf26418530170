"""The durable, ordered, per-person event stream (the Zulip model).

Capabilities call `publish(session, person_ids, event)` inside their transaction. Each recipient's
copy gets the next number of that person's sequence and is stored in `event_log`; after the
transaction commits the batch is handed to the broker (in-process or Redis pub/sub), and every
server process forwards it to that person's open WebSockets. A client that reconnects sends the
last number it processed and is given everything after it from the table, so nothing is lost or
repeated, whichever process it reconnects to.
"""

from tongban.core.events.models import EventCursor, EventRecord
from tongban.core.events.service import StreamEvent, current_seq, fetch_since, publish, publish_many

__all__ = [
    "EventCursor",
    "EventRecord",
    "StreamEvent",
    "current_seq",
    "fetch_since",
    "publish",
    "publish_many",
]
