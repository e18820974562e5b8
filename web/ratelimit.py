"""Login attempts per address and per account in a sliding minute, inside one app process.

The database lockout holds across replicas; this limit stops a flood before it reaches the
password hash at all (and nginx's limit_req, docs/deploy.md, stops it before the app).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0
MAX_KEYS = 100_000  # a flood of made-up user names must not grow the table without end


class SlidingWindowLimiter:
    """At most `limit` events per key in any `window` seconds."""

    def __init__(
        self,
        limit: int,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Record an attempt for `key`; False (and not recorded) when over the limit."""
        now = self._clock()
        with self._lock:
            events = self._events.get(key)
            if events is None:
                if len(self._events) >= MAX_KEYS:
                    self._forget_idle(now)
                events = self._events.setdefault(key, deque())
            while events and now - events[0] >= self.window:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            return True

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, v in self._events.items() if not v or now - v[-1] >= self.window]:
            del self._events[key]
        if len(self._events) >= MAX_KEYS:  # all busy: start again rather than grow
            self._events.clear()

    def reset(self) -> None:
        with self._lock:
            self._events.clear()
