"""`paramscope.inspect`: a snapshot of an optimizer's parameter groups, shown inline and in
JupyterLab's Parameter groups panel, and returned as a plain dict."""

import weakref
from typing import Any, Mapping, Optional

from torch import nn

from .describe import model_names, optimizer_groups
from .entries import default_label, entry_of
from .registry import REGISTRY, Registration


class Snapshot(dict):
    """The snapshot dict `inspect` returns. A plain dict in every way but one: as the last value
    of a notebook cell it shows nothing, since `inspect` has already displayed it."""

    def _ipython_display_(self) -> None:
        pass


def inspect(
    optimizer: Any,
    model: Optional[nn.Module] = None,
    label: Optional[str] = None,
    *,
    example_args: Any = (),
    example_kwargs: Optional[Mapping[str, Any]] = None,
) -> Snapshot:
    """Snapshot of `optimizer`'s parameter groups: hyperparameters (in the protocol's camelCase:
    `weight_decay` → `weightDecay`), members named from `model` (`group[i].params[j]` when it has
    no name), shapes, ‖W‖ and ‖∇W‖ computed where the tensors live, module kinds, which weights
    feed a normalization (the exporter's evidence and torch.fx's graph; no forward pass unless
    `example_args`/`example_kwargs` are given, which also run the behaviour probes), and the
    findings of `paramscope.verify_param_groups(model, optimizer)`.

    In IPython it is displayed (MIME type `application/vnd.paramscope.snapshot.v1+json` and a
    `text/plain` fallback) and the Parameter groups panel shows it; calling again with the same
    label (default: optimizer class and model class) updates that output in place. Returns the
    snapshot as a dict (the protocol's schema version 1), with `focus` on this optimizer's entry.

    Raises TypeError for an object that is not an optimizer (or a model that is not a Module),
    InspectError for groups it cannot read or a model that owns none of the optimizer's
    parameters — before anything is published.

    >>> snap = paramscope.inspect(optimizer, model)
    >>> [f["params"] for f in snap["entries"][0]["findings"] if f["severity"] == "error"]
    """
    optimizer_groups(optimizer)  # a clear TypeError first, for anything that is not an optimizer
    names = model_names(model) if model is not None else None
    label = label if label is not None else default_label(optimizer, names)
    if not isinstance(label, str):
        raise TypeError(f"paramscope: label must be a string, got {type(label).__name__}")
    entry_id = REGISTRY.entry_id(label)
    inputs = {"example_args": example_args, "example_kwargs": example_kwargs}
    entry = entry_of(optimizer, model, entry_id=entry_id, label=label, names=names, **inputs)
    model_ref = weakref.ref(model) if model is not None else (lambda: None)

    def rebuild() -> dict:
        live = optimizer_ref()
        return entry_of(live, model_ref(), entry_id=entry_id, label=label, **inputs) if live is not None else entry

    optimizer_ref = weakref.ref(optimizer)
    registration = REGISTRY.register(
        Registration(
            entry_id, label, optimizer_ref, rebuild, entry, display_id=f"paramscope-{REGISTRY.session_id}-{entry_id}"
        )
    )
    return Snapshot(REGISTRY.show(registration))
