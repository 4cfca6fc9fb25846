"""A deterministic, realistic sample of everything cuewire reads, for demos and replays.

:func:`generate_sample` builds a small B2B SaaS world from a seed — CRM account
snapshots, Segment ``identify``/``group`` calls linking users to accounts, a
few hundred ``track``/``page`` events and a hundred-odd support tickets — and
returns it as Kafka-shaped ``(topic_kind, key, value_bytes)`` records ordered by
event time. The same seed always gives the same bytes.

The tickets use all four shapes of CONTRACTS.md (Zendesk event webhooks,
Zendesk trigger bodies, Intercom notifications, the generic form), built by the
body builders of :mod:`.zendesk`, :mod:`.intercom`, :mod:`.generic` and
:mod:`.segment`, which follow the same vendor field sets as the fixtures in
``tests/fixtures``. Who is in the world and what they write is :mod:`.cast`;
the fortnight's activity is :mod:`.world`, its tickets :mod:`.tickets`. Some
come from people no account knows, one delivery is repeated byte for byte, and
three records are deliberately broken so a demo shows the dead-letter path.

:func:`write_jsonl` writes the records in the ``cuewire replay`` format.
"""

from cuewire_dev.sample.builder import SAMPLE_START, SampleRecord
from cuewire_dev.sample.generic import generic_ticket
from cuewire_dev.sample.intercom import (
    intercom_author,
    intercom_conversation,
    intercom_notification,
    intercom_part,
)
from cuewire_dev.sample.replay_file import write_jsonl
from cuewire_dev.sample.segment import segment_message
from cuewire_dev.sample.world import generate_sample
from cuewire_dev.sample.zendesk import (
    zendesk_comment_event,
    zendesk_detail,
    zendesk_event,
    zendesk_trigger,
)

__all__ = [
    "SAMPLE_START",
    "SampleRecord",
    "generate_sample",
    "generic_ticket",
    "intercom_author",
    "intercom_conversation",
    "intercom_notification",
    "intercom_part",
    "segment_message",
    "write_jsonl",
    "zendesk_comment_event",
    "zendesk_detail",
    "zendesk_event",
    "zendesk_trigger",
]
