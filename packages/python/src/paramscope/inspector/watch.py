"""`paramscope.watch`: weight norms per group (and of chosen parameters) over the steps of a run,
recorded by `optimizer.register_step_post_hook`, shown as one output updated in place."""

import math
import time
import weakref
from typing import Any, Dict, List, Optional, Sequence, Tuple

from torch import nn

from .describe import Group, ModelNames, describe_groups, model_names, optimizer_groups
from .entries import default_label, entry_of, verification
from .errors import InspectError
from .norms import Norm, tensor_norms
from .registry import REGISTRY, Registration


def _group_series(index: int, label: Optional[str]) -> str:
    return f"group {index}{f' ({label})' if label else ''}"


class Watch:
    """A watched run; see `paramscope.watch`. Detaches with `close()`, or by itself when the
    optimizer is deleted."""

    def __init__(
        self,
        optimizer: Any,
        model: Optional[nn.Module],
        label: Optional[str],
        every: int,
        params: Sequence[str],
        max_points: int,
        min_interval: float,
    ):
        optimizer_groups(optimizer)
        if not callable(getattr(optimizer, "register_step_post_hook", None)):
            raise TypeError(
                f"paramscope.watch: {type(optimizer).__name__} has no register_step_post_hook "
                "(torch.optim.Optimizer subclasses have it)"
            )
        if not isinstance(every, int) or isinstance(every, bool) or every < 1:
            raise InspectError(f"paramscope.watch: every must be a positive integer, got {every!r}")
        self._names: Optional[ModelNames] = model_names(model) if model is not None else None
        self.label = label if label is not None else default_label(optimizer, self._names)
        groups = describe_groups(optimizer, self._names)
        known = {n for g in groups for m in g.members for n in [m.name, *m.aliases]}
        unknown = [name for name in params if name not in known]
        if unknown:
            raise InspectError(f"paramscope.watch: params {unknown} are not in the optimizer's groups")
        self.every, self.steps = every, 0
        #: Time spent recording and displaying after steps (what the watch adds to a run).
        self.hook_seconds = 0.0
        self._tracked = list(params)
        self._max_points, self._min_interval = max(8, max_points), min_interval
        self.history: Dict[str, Any] = {"steps": [], "series": []}
        self._optimizer = weakref.ref(optimizer)
        self._model = weakref.ref(model) if model is not None else None
        self._verified = verification(model, optimizer)
        self._entry_id = REGISTRY.entry_id(self.label)
        self._last_shown = 0.0
        weighed = self._record(optimizer)
        self._registration = REGISTRY.register(
            Registration(
                self._entry_id,
                self.label,
                self._optimizer,
                self._rebuild,
                self._entry(optimizer, weighed),
                display_id=f"paramscope-{REGISTRY.session_id}-{self._entry_id}",
            )
        )
        self._hook = optimizer.register_step_post_hook(self._after_step)
        self._finalizer = weakref.finalize(optimizer, self._detach)
        REGISTRY.show(self._registration)
        self._last_shown = time.monotonic()

    @property
    def closed(self) -> bool:
        return self._hook is None

    def flush(self) -> dict:
        """Records the current norms (if this step is not recorded yet) and updates the output."""
        optimizer = self._optimizer()
        if optimizer is None:
            raise InspectError("paramscope.watch: the optimizer was deleted")
        weighed = None
        if not self.history["steps"] or self.history["steps"][-1] != self.steps:
            weighed = self._record(optimizer)
        return self._show(weighed)

    def close(self) -> None:
        """Stops recording and removes the run from the panel (its last output stays)."""
        if self.closed:
            return
        self._finalizer.detach()
        self._detach()
        REGISTRY.publish_snapshot()

    def _detach(self) -> None:
        if self._hook is not None:
            self._hook.remove()
            self._hook = None
        if REGISTRY.get(self.label) is self._registration:
            REGISTRY.unregister(self.label)

    def _after_step(self, optimizer: Any, args: Any, kwargs: Any) -> None:
        started = time.perf_counter()
        self.steps += 1
        if self.steps % self.every == 0:
            weighed = self._record(optimizer)
            if time.monotonic() - self._last_shown >= self._min_interval:
                self._show(weighed)
        self.hook_seconds += time.perf_counter() - started

    def _record(self, optimizer: Any) -> Tuple[List[Group], List[Norm]]:
        """Appends this step's norms to the history; returns the groups and their weight norms."""
        groups = describe_groups(optimizer, self._names)
        weight_norms = tensor_norms([m.tensor for g in groups for m in g.members])
        norms = iter(weight_norms)
        values: Dict[str, Optional[float]] = {}
        group_of: Dict[str, int] = {}
        for group in groups:
            squares = 0.0
            for member in group.members:
                norm = next(norms)
                squares = squares + norm * norm if norm is not None and squares is not None else None
                if member.name in self._tracked:
                    values[member.name], group_of[member.name] = norm, group.index
            name = _group_series(group.index, group.label)
            values[name] = math.sqrt(squares) if squares is not None and math.isfinite(squares) else None
            group_of[name] = group.index
        history = self.history
        point = len(history["steps"])
        history["steps"].append(self.steps)
        series = {s["name"]: s for s in history["series"]}
        for name, value in values.items():
            if name not in series:
                series[name] = {"name": name, "group": group_of[name], "values": [None] * point}
                history["series"].append(series[name])
            series[name]["values"].append(value)
        for s in history["series"]:
            s["values"] += [None] * (len(history["steps"]) - len(s["values"]))
        if len(history["steps"]) > self._max_points:
            self._thin()
        return groups, weight_norms

    def _thin(self) -> None:
        """Keeps every other point (and the last), and records half as often from now on."""
        last = len(self.history["steps"]) - 1
        keep = [k for k in range(last + 1) if k % 2 == 0 or k == last]
        self.history["steps"] = [self.history["steps"][k] for k in keep]
        for s in self.history["series"]:
            s["values"] = [s["values"][k] for k in keep]
        self.every *= 2

    def _entry(self, optimizer: Any, weighed: Optional[Tuple[List[Group], List[Norm]]] = None) -> dict:
        model = self._model() if self._model is not None else None
        return entry_of(
            optimizer,
            model,
            entry_id=self._entry_id,
            label=self.label,
            names=self._names,
            step=self.steps,
            history=self.history,
            watched=True,
            verified=self._verified,
            weighed=weighed,
        )

    def _rebuild(self) -> dict:
        optimizer = self._optimizer()
        return self._entry(optimizer) if optimizer is not None else self._registration.entry

    def _show(self, weighed: Optional[Tuple[List[Group], List[Norm]]] = None) -> dict:
        optimizer = self._optimizer()
        if optimizer is not None:
            self._registration.entry = self._entry(optimizer, weighed)
        self._last_shown = time.monotonic()
        return REGISTRY.show(self._registration)


def watch(
    optimizer: Any,
    model: Optional[nn.Module] = None,
    *,
    every: int = 1,
    params: Sequence[str] = (),
    label: Optional[str] = None,
    max_points: int = 500,
    min_interval: float = 1.0,
) -> Watch:
    """Like `inspect`, and records ‖W‖ per group (root of the summed squares) and per parameter
    named in `params`, every `every` optimizer steps, through `optimizer.register_step_post_hook`.
    One output is updated in place, at most every `min_interval` seconds while training runs;
    series keep at most `max_points` points (older ones are thinned out). The groups are verified
    once, when the watch starts.

    Returns a `Watch`: `.history` (the protocol's History), `.flush()`, `.close()`. Deleting the
    optimizer detaches the watch too.

    >>> run = paramscope.watch(optimizer, model, params=["bn1.weight"])
    >>> for batch in data: ...; optimizer.step()
    >>> run.close()
    """
    return Watch(optimizer, model, label, every, params, max_points, min_interval)
