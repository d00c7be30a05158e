"""Verification of parameter groups against a model, never by parameter name: every trainable
parameter in exactly one group, nothing foreign, no decay where the normalization verdict says
none, and the per-group totals. TypeScript: `packages/params/src/verify/verify.ts`, kept identical
(same findings in the same order, same codes, messages and severities).

Findings (`{"severity", "code", "message", "params", "groups"}`, the snapshot's shape):

| code | severity |
|---|---|
| norm-param-decayed, missing, duplicate, unknown-param, invalid-hyperparameter, invalid-group, empty-model | error |
| declared-no-decay-decayed, unknown-kind-1d-decayed, norm-name-only-decayed | warning |
| bias-decayed, frozen-in-group, empty-group | warning |
| scale-invariant-decayed | info |

`ok` means nothing detectable is wrong: no error and no warning."""

import math
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from .js_text import js_number
from .model import Param, ParamModel, to_param_model


class ParamGroupsError(AssertionError):
    """Parameter groups that failed verification; `report` is the whole report. An
    AssertionError, so pytest reports a failed `paramscope.check` as a test failure, with the
    findings in its message."""

    def __init__(self, report: Dict[str, Any]):
        self.report = report
        failing = [f for f in report["findings"] if f["severity"] in ("error", "warning")]
        counts = ", ".join(
            _plural(sum(f["severity"] == s for f in failing), s)
            for s in ("error", "warning")
            if any(f["severity"] == s for f in failing)
        )
        lines = "\n".join(f"  {f['severity']} {f['code']}: {f['message']}" for f in failing)
        super().__init__(
            f'parameter groups of model "{report["model"]["name"]}" failed verification ({counts}):\n{lines}'
        )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _verdict_of(findings: Sequence[Mapping[str, Any]]) -> str:
    if any(f["severity"] == "error" for f in findings):
        return "errors"
    return "warnings" if any(f["severity"] == "warning" for f in findings) else "ok"


def _decay_finding(param: Param, decay: float, index: int) -> Optional[Tuple[str, str, str]]:
    """(severity, code, message) about decay `decay` on `param` in group `index`, if any."""
    verdict = param.verdict
    bias = param.local_name == "bias" or param.local_name.endswith("_bias")
    if verdict.verdict == "ordinary" and not bias and not param.feeds_normalization:
        return None  # the common case, decided before any text is built
    kind = param.module_kind
    shown = js_number(decay)
    subject = f"{param.name} ({kind} {param.local_name}) has weight decay {shown} in group {index}"
    if verdict.verdict == "normalization":
        return "error", "norm-param-decayed", f"{subject}; {kind}: {verdict.evidence}"
    if verdict.verdict == "declared":
        return "warning", "declared-no-decay-decayed", f"{subject}, but the model {verdict.evidence}"
    if verdict.verdict == "unknown-kind":
        rule = f"timm's rule leaves its {len(param.shape)}-D parameter without decay"
        return "warning", "unknown-kind-1d-decayed", f"{subject}: {verdict.evidence}; {rule}"
    if verdict.verdict == "name-only":
        return "warning", "norm-name-only-decayed", f"{subject}: {verdict.evidence}"
    if bias:
        return "warning", "bias-decayed", f"{param.name} (bias of {kind}) has weight decay {shown} in group {index}"
    if param.feeds_normalization:
        message = (
            f"{param.name} feeds {param.normalized_by} (scale-invariant) and has weight decay {shown} in group {index}"
        )
        return "info", "scale-invariant-decayed", message
    return None


def _is_valid_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0


def _plain_number(value: Any) -> Any:
    """A 0-d torch tensor (torch.optim accepts a tensor `lr`) as a float; anything else as it is."""
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        return value.item()
    return value


def _shown(value: Any) -> str:
    return js_number(value) if isinstance(value, (int, float)) else str(value)


def _groups_of(source: Any) -> Tuple[Sequence[Mapping[str, Any]], Mapping[str, Any]]:
    """The groups and defaults of an optimizer (`param_groups`, `defaults`) or of a list of groups."""
    if isinstance(source, (list, tuple)):
        return source, {}
    groups = getattr(source, "param_groups", None)
    if not isinstance(groups, (list, tuple)):
        raise TypeError(
            f"verify_param_groups: expected parameter groups (a list of dicts) or an optimizer with "
            f"param_groups, got {type(source).__name__}"
        )
    return groups, getattr(source, "defaults", None) or {}


def _resolve(model: ParamModel, member: Any, group_index: int, position: int) -> Tuple[Optional[Param], str]:
    """The model's parameter for a group member (a name, a tensor, or a `Param`), and its label."""
    param = model.by_tensor.get(id(member))
    if param is not None and param.tensor is member:
        return param, param.name
    if isinstance(member, Param):
        return model.by_name.get(member.name), member.name
    if isinstance(member, str):
        return model.by_name.get(member), member
    shape = list(getattr(member, "shape", []))
    return None, f"group[{group_index}].params[{position}] (a tensor of shape {shape})"


def check_groups(
    model: ParamModel, groups_source: Any, *, default_weight_decay: Optional[float] = None
) -> Dict[str, Any]:
    """The verification report of `groups_source` against a `ParamModel` (see `verify_param_groups`)."""
    groups, defaults = _groups_of(groups_source)
    findings: List[Dict[str, Any]] = []

    def add(severity: str, code: str, message: str, params: List[str], group_indices: List[int]) -> None:
        findings.append(
            {"severity": severity, "code": code, "message": message, "params": params, "groups": group_indices}
        )

    placed_in: Dict[Param, int] = {}
    also_in: Dict[Param, List[int]] = {}
    summaries: List[Dict[str, Any]] = []
    if not model.params:
        add("error", "empty-model", f'model "{model.name}" has no parameters', [], [])
    fallback = defaults.get("weight_decay")
    if fallback is None:
        fallback = default_weight_decay if default_weight_decay is not None else 0
    for index, group in enumerate(groups):
        decay = _plain_number(group.get("weight_decay", group.get("weightDecay")))
        if decay is None:
            decay = fallback
        lr = _plain_number(group.get("lr"))
        for key, value in (("weightDecay", decay), ("lr", lr)):
            if value is not None and not _is_valid_number(value):
                add(
                    "error",
                    "invalid-hyperparameter",
                    f"group {index}: {key} must be a finite number ≥ 0, got {_shown(value)}",
                    [],
                    [index],
                )
        members = group.get("params") if isinstance(group, Mapping) else None
        if not isinstance(members, (list, tuple)):
            add("error", "invalid-group", f"group {index}: params must be a list", [], [index])
            continue
        decays = _is_valid_number(decay) and decay > 0
        if not members:
            add("warning", "empty-group", f"group {index} has no parameters", [], [index])
        elements = 0
        tensors = 0
        for position, member in enumerate(members):
            param, label = _resolve(model, member, index, position)
            if param is None:
                add(
                    "error",
                    "unknown-param",
                    f'group {index}: {label} is not a parameter of model "{model.name}"',
                    [label],
                    [index],
                )
                continue
            first = placed_in.get(param)
            if first is None:
                placed_in[param] = index
            else:
                more = also_in.get(param, [])
                if first == index or (more and more[-1] == index):
                    add("error", "duplicate", f"group {index}: {param.name} is listed twice", [param.name], [index])
                    continue
                more.append(index)
                also_in[param] = more
            tensors += 1
            elements += param.size
            if not param.trainable:
                add(
                    "warning",
                    "frozen-in-group",
                    f"group {index}: {param.name} is frozen (not trainable)",
                    [param.name],
                    [index],
                )
            if not decays:
                continue
            finding = _decay_finding(param, decay, index)
            if finding is not None:
                add(*finding, [param.name], [index])
        summary: Dict[str, Any] = {"index": index}
        if isinstance(group.get("label"), str):
            summary["label"] = group["label"]
        summary["weight_decay"] = decay
        if lr is not None:
            summary["lr"] = lr
        summary["tensor_count"] = tensors
        summary["element_count"] = elements
        summaries.append(summary)
    for param, more in also_in.items():
        indices = [placed_in[param], *more]
        add("error", "duplicate", f"{param.name} is in groups {' and '.join(map(str, indices))}", [param.name], indices)
    for p in model.params:
        if p.trainable and p not in placed_in:
            add("error", "missing", f"{p.name} ({p.module_kind}) is trainable but in no group", [p.name], [])
    verdict = _verdict_of(findings)
    return {
        "ok": verdict == "ok",
        "verdict": verdict,
        "findings": findings,
        "groups": summaries,
        "model": {
            "name": model.name,
            "tensor_count": len(model.params),
            "element_count": sum(p.size for p in model.params),
            "trainable_count": sum(1 for p in model.params if p.trainable),
        },
    }


def verify_param_groups(
    model: Any,
    optimizer_or_groups: Any,
    *,
    strict: Any = False,
    default_weight_decay: Optional[float] = None,
    example_args: Any = (),
    example_kwargs: Optional[Mapping[str, Any]] = None,
) -> Dict[str, Any]:
    """Checks a `torch.optim` optimizer's `param_groups` (or a list of groups) against `model`
    (a `torch.nn.Module`, a structure document, or a `ParamModel`). Members are tensors (mapped
    to names through the model) or names; a group's decay is its `weight_decay` (or
    `weightDecay`), else the optimizer's default, else `default_weight_decay`, else 0.

    Returns `{"ok", "verdict", "findings", "groups", "model"}`; `verdict` is "errors",
    "warnings" or "ok", and `ok` is True only without errors and warnings. With `strict`
    (True or "errors": on an error; "warnings": on an error or a warning) raises
    `ParamGroupsError`. example_args / example_kwargs: inputs for a live model's behaviour probes."""
    if strict not in (False, True, "errors", "warnings"):
        raise ValueError(f'verify_param_groups: strict must be False, True, "errors" or "warnings", got {strict!r}')
    param_model = to_param_model(model, example_args=example_args, example_kwargs=example_kwargs)
    report = check_groups(param_model, optimizer_or_groups, default_weight_decay=default_weight_decay)
    level = "errors" if strict is True else strict
    if (level == "errors" and report["verdict"] == "errors") or (level == "warnings" and not report["ok"]):
        raise ParamGroupsError(report)
    return report
