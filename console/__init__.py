"""The review console: where staged alerts meet the people who act on them.

``cuewire console`` serves it. Its store (:mod:`console.store`) is a view of
the alerts, feedback, digest and accounts topics, kept current by :mod:`console.follow`;
every decision a reviewer makes is a feedback record on the topic
(:mod:`console.feedback`), so the topic stays the source of truth.
"""
