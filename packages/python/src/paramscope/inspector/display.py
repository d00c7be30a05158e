"""Publishes snapshots as IPython display data: the protocol's MIME type with a `text/plain`
fallback, by display id so that a later call updates the output in place. Does nothing outside
IPython, and never imports IPython itself (a script that never loaded it has no display)."""

import sys
from typing import Any, Optional

#: `SNAPSHOT_MIME_TYPE` of `@paramscope/protocol`.
SNAPSHOT_MIME_TYPE = "application/vnd.paramscope.snapshot.v1+json"

#: Printed by the panel's refresh request when this module is not loaded (`NOT_LOADED_MARKER`).
NOT_LOADED_MARKER = "[paramscope] inspector not loaded in this kernel"


def ipython_shell() -> Optional[Any]:
    """The running IPython shell, if this process runs one."""
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython is not None else None


def execution_count() -> Optional[int]:
    """The number of the cell being executed (None outside IPython)."""
    shell = ipython_shell()
    return getattr(shell, "execution_count", None) if shell is not None else None


def publish(bundle: dict, display_id: str, *, update: bool) -> bool:
    """Shows `bundle` as a new output with `display_id`, or (`update`) replaces every output with
    that id. Returns False when there is no IPython to publish to."""
    if ipython_shell() is None:
        return False
    from IPython.display import display  # only imported where IPython already runs

    display(bundle, raw=True, display_id=display_id, update=update)
    return True
