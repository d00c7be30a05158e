"""The inspector: `inspect` and `watch` show a torch optimizer's parameter groups inline and in
JupyterLab's Parameter groups panel (the `@paramscope/protocol` snapshot), and return them."""

from .api import Snapshot, inspect
from .errors import InspectError
from .registry import publish_snapshot
from .watch import Watch, watch

__all__ = ["InspectError", "Snapshot", "Watch", "inspect", "publish_snapshot", "watch"]
