"""The kernel-side registry of what `inspect` and `watch` were given, one per process. It numbers
snapshots (session id + sequence, so the panel tells a restarted kernel and keeps the newest),
keeps each entry's last build, and publishes: inline under a display id per label (re-running a
cell updates its output), and panel-only as an update of a display id no cell shows."""

import secrets
import weakref
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional

import torch

from . import display
from .snapshot import snapshot
from .text import snapshot_text


@dataclass
class Registration:
    """One inspected or watched optimizer."""

    id: str
    label: str
    optimizer: "weakref.ReferenceType"
    #: Builds the entry anew from the live optimizer (for the panel's refresh).
    build: Callable[[], dict]
    entry: dict
    display_id: str
    #: Execution count of the cell that last showed this label's output.
    shown_in: Optional[int] = None


class Registry:
    """Registered entries by label, in registration order."""

    def __init__(self) -> None:
        self.session_id = secrets.token_hex(6)
        self.sequence = 0
        self.backend = f"PyTorch {torch.__version__}"
        self._by_label: Dict[str, Registration] = {}
        self._next_id = 1

    @property
    def panel_display_id(self) -> str:
        return f"paramscope-inspector-{self.session_id}"

    def entry_id(self, label: str) -> str:
        """The id of `label`'s entry: kept when the label is registered again."""
        known = self._by_label.get(label)
        if known:
            return known.id
        entry_id = f"py-{self._next_id}"
        self._next_id += 1
        return entry_id

    def register(self, registration: Registration) -> Registration:
        known = self._by_label.get(registration.label)
        if known is not None:
            registration.shown_in = known.shown_in
        self._by_label[registration.label] = registration
        return registration

    def unregister(self, label: str) -> bool:
        return self._by_label.pop(label, None) is not None

    def get(self, label: str) -> Optional[Registration]:
        return self._by_label.get(label)

    @property
    def registrations(self) -> List[Registration]:
        return list(self._by_label.values())

    def snapshot(self, focus: Optional[List[str]] = None) -> dict:
        """A snapshot of every entry's last build (each call takes the next sequence number)."""
        self._drop_collected()
        self.sequence += 1
        return snapshot(
            session_id=self.session_id,
            sequence=self.sequence,
            entries=[r.entry for r in self._by_label.values()],
            backend=self.backend,
            focus=focus,
        )

    def bundle(self, doc: dict) -> dict:
        return {display.SNAPSHOT_MIME_TYPE: doc, "text/plain": snapshot_text(doc, doc.get("focus"))}

    def show(self, registration: Registration) -> dict:
        """Publishes a snapshot about `registration` as its label's output: a new output in the
        first call of a cell, an in-place update after that. Returns the snapshot."""
        doc = self.snapshot([registration.id])
        count = display.execution_count()
        update = registration.shown_in is not None and registration.shown_in == count
        display.publish(self.bundle(doc), registration.display_id, update=update)
        registration.shown_in = count
        return doc

    def publish_snapshot(self) -> dict:
        """Rebuilds every live entry and sends the snapshot to the panel only (the panel's
        Refresh). An entry that cannot be rebuilt keeps its last build."""
        for registration in self.registrations:
            if registration.optimizer() is not None:
                try:
                    registration.entry = registration.build()
                except Exception:  # the optimizer changed under us: the last good build stays
                    pass
        doc = self.snapshot()
        display.publish(self.bundle(doc), self.panel_display_id, update=True)
        return doc

    def _drop_collected(self) -> None:
        for label, registration in list(self._by_label.items()):
            if registration.optimizer() is None:
                del self._by_label[label]


#: The registry of this process.
REGISTRY = Registry()


def publish_snapshot() -> None:
    """What the panel's Refresh runs in a Python kernel (`PYTHON_REFRESH_CODE` of the protocol):
    a snapshot of every live entry, to the panel only. Returns None, so nothing is echoed."""
    REGISTRY.publish_snapshot()
