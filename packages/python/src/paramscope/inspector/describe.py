"""Reads what `inspect`/`watch` are given — an optimizer following torch's `param_groups`
contract and, optionally, the model its parameters come from — into plain descriptions of
groups and members. Structural on purpose: any object with `param_groups` (a list of dicts with a
`params` list of tensors) works, torch.optim or not."""

import math
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import torch
from torch import nn

from .errors import InspectError

#: Keys of a parameter group that are not hyperparameters.
NOT_HYPERPARAMETERS = frozenset({"params", "label", "reasons"})

HyperparameterValue = Any  # float | int | bool | str | None | list of floats (the protocol's)


@dataclass
class Member:
    """One parameter tensor of a group, resolved to what the snapshot shows."""

    name: str
    aliases: List[str]
    tensor: torch.Tensor
    module_path: str
    module_kind: str
    in_model: bool


@dataclass
class Group:
    index: int
    label: Optional[str]
    hyperparameters: Dict[str, HyperparameterValue]
    members: List[Member]
    reasons: Dict[str, str] = field(default_factory=dict)


@dataclass
class ModelNames:
    """Names of a model's parameters by tensor identity: the first name `named_parameters()`
    gives (the canonical one), every other name of a tied tensor, and the owning module."""

    model_name: str
    by_tensor: Dict[int, Tuple[str, List[str], str, str]]  # id → (name, aliases, module path, kind)
    tensor_count: int
    element_count: int


def model_names(model: nn.Module) -> ModelNames:
    """Indexes `model`'s parameters once (map look-ups afterwards, not scans of the model)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"paramscope: model must be a torch.nn.Module, got {type(model).__name__}")
    kinds = {path: type(module).__name__ for path, module in model.named_modules(remove_duplicate=False)}
    by_tensor: Dict[int, Tuple[str, List[str], str, str]] = {}
    elements = 0
    for name, param in model.named_parameters(remove_duplicate=False):
        known = by_tensor.get(id(param))
        if known:
            known[1].append(name)
            continue
        path = name.rpartition(".")[0]
        by_tensor[id(param)] = (name, [], path, kinds.get(path, "unknown"))
        elements += param.numel()
    return ModelNames(type(model).__name__, by_tensor, len(by_tensor), elements)


def snake_to_camel(key: str) -> str:
    """`weight_decay` → `weightDecay`: the protocol spells hyperparameters as the TypeScript side."""
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def hyperparameter_value(value: Any) -> Tuple[bool, HyperparameterValue]:
    """(keep, JSON-safe value): non-finite numbers become None; a 0-d tensor its number; a tuple
    of numbers a list; callables are left out; anything else its text."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if value is None or isinstance(value, (bool, str)):
        return True, value
    if isinstance(value, (int, float)):
        return True, value if math.isfinite(value) else None
    if isinstance(value, (list, tuple)) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value
    ):
        return True, list(value)
    if callable(value):
        return False, None
    return True, str(value)


def optimizer_groups(optimizer: Any) -> List[dict]:
    """The optimizer's `param_groups`, checked: a clear error for anything else."""
    groups = getattr(optimizer, "param_groups", None)
    if groups is None:
        raise TypeError(
            f"paramscope: expected a torch.optim.Optimizer (an object with param_groups), "
            f"got {type(optimizer).__name__}"
        )
    if not isinstance(groups, (list, tuple)):
        raise InspectError(
            f"paramscope: {type(optimizer).__name__}.param_groups must be a list of dicts, got {type(groups).__name__}"
        )
    for index, group in enumerate(groups):
        if not isinstance(group, dict) or not isinstance(group.get("params"), (list, tuple)):
            raise InspectError(f"paramscope: param_groups[{index}] must be a dict with a 'params' list")
        for k, param in enumerate(group["params"]):
            if not isinstance(param, torch.Tensor):
                raise InspectError(
                    f"paramscope: param_groups[{index}]['params'][{k}] is a {type(param).__name__}, not a tensor"
                )
    return list(groups)


def describe_groups(optimizer: Any, names: Optional[ModelNames]) -> List[Group]:
    """Groups with their hyperparameters and named members. Members the model does not own are
    named `group[i].params[j]`; with a model that owns none of them, raises (wrong model)."""
    groups = optimizer_groups(optimizer)
    described: List[Group] = []
    for index, group in enumerate(groups):
        hyperparameters: Dict[str, HyperparameterValue] = {}
        for key, value in group.items():
            if key in NOT_HYPERPARAMETERS:
                continue
            keep, converted = hyperparameter_value(value)
            if keep:
                hyperparameters[snake_to_camel(key)] = converted
        members = []
        for k, param in enumerate(group["params"]):
            known = names.by_tensor.get(id(param)) if names else None
            if known:
                members.append(Member(known[0], list(known[1]), param, known[2], known[3], True))
            else:
                members.append(Member(f"group[{index}].params[{k}]", [], param, "", "unknown", False))
        label = group.get("label")
        reasons = group.get("reasons")
        described.append(
            Group(
                index,
                label if isinstance(label, str) else None,
                hyperparameters,
                members,
                dict(reasons) if isinstance(reasons, dict) else {},
            )
        )
    if names is not None:
        total = sum(len(g.members) for g in described)
        if total and not any(m.in_model for g in described for m in g.members):
            raise InspectError(
                f"paramscope: none of the optimizer's {total} parameters belong to the model ({names.model_name}): "
                "pass the model the optimizer was built from"
            )
    return described
