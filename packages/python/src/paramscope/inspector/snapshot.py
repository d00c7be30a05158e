"""Builds the protocol's snapshot (`@paramscope/protocol`, schema version 1, the JSON Schema in
packages/protocol/schema/snapshot.schema.json) from described groups: one entry per optimizer,
with hyperparameters, members, shapes, weight and gradient norms and findings. Plain dicts and
lists only, so the result is JSON as it is."""

import math
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .describe import Group, ModelNames
from .norms import Norm, tensor_norms

SCHEMA_VERSION = 1

#: name → (feeds a normalization, the normalization module it feeds). Names absent: unknown.
ScaleInvariance = Dict[str, Tuple[bool, Optional[str]]]


def measure(groups: Sequence[Group]) -> Dict[str, List[Norm]]:
    """‖W‖ and ‖∇W‖ of every member, in group order (one read per device for each)."""
    tensors = [member.tensor for group in groups for member in group.members]
    return {"weight": tensor_norms(tensors), "grad": tensor_norms([t.grad for t in tensors])}


def finding(severity: str, code: str, message: str, params: Sequence[str] = (), groups: Sequence[int] = ()) -> dict:
    """A finding in the protocol's shape."""
    return {"severity": severity, "code": code, "message": message, "params": list(params), "groups": list(groups)}


def input_findings(groups: Sequence[Group], norms: Dict[str, List[Norm]]) -> List[dict]:
    """What inspect itself notices besides verification: non-finite values."""
    found = []
    members = [(group.index, member) for group in groups for member in group.members]
    for kind, what in (("weight", "weight"), ("grad", "gradient")):
        bad = [
            (g, m.name)
            for (g, m), norm in zip(members, norms[kind])
            if norm is None and _has_values(m.tensor if kind == "weight" else m.tensor.grad)
        ]
        if bad:
            found.append(
                finding(
                    "warning",
                    f"non-finite-{kind}",
                    f"{len(bad)} parameter(s) have a non-finite {what} norm (NaN or ±inf), first: {bad[0][1]}",
                    [n for _, n in bad],
                    sorted({g for g, _ in bad}),
                )
            )
    return found


def _has_values(tensor: Any) -> bool:
    return tensor is not None and tensor.device.type != "meta" and (tensor.is_floating_point() or tensor.is_complex())


def _number(value: Optional[float]) -> Optional[float]:
    return value if value is not None and math.isfinite(value) else None


def build_entry(
    *,
    entry_id: str,
    label: str,
    optimizer: Any,
    groups: Sequence[Group],
    names: Optional[ModelNames],
    findings: List[dict],
    norms: Dict[str, List[Norm]],
    scale_invariance: Optional[ScaleInvariance] = None,
    step: Optional[int] = None,
    history: Optional[dict] = None,
    watched: bool = False,
) -> dict:
    """One snapshot entry (`SnapshotEntry` of the protocol)."""
    weight_norms, grad_norms = iter(norms["weight"]), iter(norms["grad"])
    group_snapshots = []
    for group in groups:
        default_reason = f"listed in group {group.index}{f' ({group.label})' if group.label else ''}"
        lr = group.hyperparameters.get("lr")
        params = []
        for member in group.members:
            weight_norm, grad_norm = next(weight_norms), next(grad_norms)
            param: Dict[str, Any] = {
                "name": member.name,
                "shape": list(member.tensor.shape),
                "size": member.tensor.numel(),
                "moduleKind": member.module_kind,
                "modulePath": member.module_path,
                "trainable": bool(member.tensor.requires_grad),
                "reason": str(group.reasons.get(member.name, default_reason)),
            }
            if member.aliases:
                param["aliases"] = member.aliases
            if scale_invariance is not None and member.name in scale_invariance:
                feeds, normalized_by = scale_invariance[member.name]
                param["scaleInvariant"] = feeds
                if feeds and normalized_by:
                    param["normalizedBy"] = normalized_by
            if _has_values(member.tensor):
                param["weightNorm"] = weight_norm
            if member.tensor.grad is not None:
                param["gradNorm"] = grad_norm
            if (
                param.get("scaleInvariant")
                and isinstance(lr, (int, float))
                and not isinstance(lr, bool)
                and weight_norm is not None
            ):
                # η/‖W‖²: the step a scale-invariant weight effectively takes.
                param["effectiveLr"] = _number(lr / weight_norm**2) if weight_norm > 0 else None
            params.append(param)
        snapshot = {
            "index": group.index,
            "hyperparameters": group.hyperparameters,
            "tensorCount": len(params),
            "elementCount": sum(p["size"] for p in params),
            "params": params,
        }
        if group.label is not None:
            snapshot["label"] = group.label
        group_snapshots.append(snapshot)
    if names is not None:
        model = {"name": names.model_name, "tensorCount": names.tensor_count, "elementCount": names.element_count}
    else:
        unique = {id(m.tensor): m.tensor.numel() for g in groups for m in g.members}
        model = {"name": "(groups only)", "tensorCount": len(unique), "elementCount": sum(unique.values())}
    entry: Dict[str, Any] = {
        "id": entry_id,
        "label": label,
        "source": "optimizer",
        "optimizer": type(optimizer).__name__,
        "model": model,
        "groups": group_snapshots,
        "findings": findings,
    }
    if step is not None:
        entry["step"] = step
    if history is not None:
        entry["history"] = history
    if watched:
        entry["watched"] = True
    return entry


def optimizer_step(optimizer: Any) -> Optional[int]:
    """Steps taken, as the optimizer's state records them (`state[p]['step']`; SGD keeps none)."""
    state = getattr(optimizer, "state", None)
    if not isinstance(state, dict):
        return None
    for per_param in state.values():
        step = per_param.get("step") if isinstance(per_param, dict) else None
        if step is not None:
            value = float(step.item() if hasattr(step, "item") else step)
            return int(value) if math.isfinite(value) and value >= 0 else None
    return None


def snapshot(
    *, session_id: str, sequence: int, entries: List[dict], backend: str, focus: Optional[List[str]] = None
) -> dict:
    """The whole snapshot (`Snapshot` of the protocol)."""
    doc: Dict[str, Any] = {
        "schemaVersion": SCHEMA_VERSION,
        "sessionId": session_id,
        "sequence": sequence,
        "createdAt": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "backend": backend,
        "entries": entries,
    }
    if focus is not None:
        doc["focus"] = focus
    return doc
