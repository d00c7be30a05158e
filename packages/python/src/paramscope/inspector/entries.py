"""Builds one optimizer's entry: describe its groups against the model, read the norms, verify."""

import contextlib
import io
from typing import Any, List, Mapping, Optional, Sequence, Tuple

from torch import nn

from .describe import Group, ModelNames, describe_groups, model_names
from .norms import Norm, tensor_norms
from .snapshot import ScaleInvariance, build_entry, finding, input_findings, measure, optimizer_step

NO_MODEL = finding("info", "no-model", "Pass model= to paramscope.inspect() to verify these groups against the model.")


def verification(
    model: Optional[nn.Module],
    optimizer: Any,
    example_args: Any = (),
    example_kwargs: Optional[Mapping[str, Any]] = None,
) -> Tuple[List[dict], Optional[ScaleInvariance]]:
    """The findings of `paramscope.verify_param_groups`, and which weights feed a normalization
    (from the same parameter model: the exporter's evidence and torch.fx's graph; a forward pass
    only with example inputs, for the behaviour probes). A verifier that fails says so as an error
    finding, so the groups are still shown."""
    if model is None:
        return [dict(NO_MODEL)], None
    try:
        from ..model import to_param_model
        from ..verify import verify_param_groups
    except ImportError:  # a paramscope without the Python verification: groups without findings
        return [], None
    try:
        with contextlib.redirect_stderr(io.StringIO()):  # the exporter's route notes are not for the cell
            param_model = to_param_model(model, example_args=example_args, example_kwargs=example_kwargs)
        report = verify_param_groups(param_model, optimizer)
    except Exception as error:  # a bug in verification must not hide the groups
        return [finding("error", "verify-failed", f"Verification failed: {type(error).__name__}: {error}")], None
    scale = {
        p.name: (bool(p.feeds_normalization), p.normalized_by)
        for p in param_model.params
        if p.feeds_normalization is not None
    }
    return [dict(f) for f in report["findings"]], scale


def default_label(optimizer: Any, names: Optional[ModelNames]) -> str:
    what = type(optimizer).__name__
    return f"{what} on {names.model_name}" if names else what


def entry_of(
    optimizer: Any,
    model: Optional[nn.Module],
    *,
    entry_id: str,
    label: str,
    names: Optional[ModelNames] = None,
    step: Optional[int] = None,
    history: Optional[dict] = None,
    watched: bool = False,
    verified: Optional[Tuple[List[dict], Optional[ScaleInvariance]]] = None,
    example_args: Any = (),
    example_kwargs: Optional[Mapping[str, Any]] = None,
    weighed: Optional[Tuple[Sequence[Group], List[Norm]]] = None,
) -> dict:
    """The entry of `optimizer`. `verified`: an earlier `verification` of the same groups (a
    watched run verifies once, not at every display update); `weighed`: the groups just described
    and their weight norms (a watched step has measured them already). Raises TypeError or
    InspectError on input it cannot read, before any publication."""
    if names is None and model is not None:
        names = model_names(model)
    if weighed is not None:
        groups = weighed[0]
        norms = {"weight": weighed[1], "grad": tensor_norms([m.tensor.grad for g in groups for m in g.members])}
    else:
        groups = describe_groups(optimizer, names)
        norms = measure(groups)
    findings, scale_invariance = (
        verified if verified is not None else verification(model, optimizer, example_args, example_kwargs)
    )
    return build_entry(
        entry_id=entry_id,
        label=label,
        optimizer=optimizer,
        groups=groups,
        names=names,
        findings=findings + input_findings(groups, norms),
        norms=norms,
        scale_invariance=scale_invariance,
        step=step if step is not None else optimizer_step(optimizer),
        history=history,
        watched=watched,
    )
