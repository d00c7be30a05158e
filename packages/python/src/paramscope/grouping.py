"""The structural default: no weight decay for every parameter that a strong signal calls
normalization (class, torch.nn hierarchy, behaviour probe — never the parameter's name), that the
model declares decay-free, or that is a bias; for a module of unknown kind none for its
parameters with ndim ≤ 1 (timm's rule); optionally none for weights that feed normalization;
then the user's rules. Parameters with the same hyperparameters share a group, and every
placement records its reasons. TypeScript: `packages/params/src/grouping/structural.ts`, kept
identical (same groups in the same order, same reasons and warnings)."""

import warnings as python_warnings
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from .js_text import js_json, js_number
from .model import Param, ParamModel, to_param_model
from .normalization import NormalizationVerdict, is_bias
from .rules import CompiledRule, check_non_negative, compile_rule

_RESERVED_KEYS = frozenset(["params", "weight_decay", "lr", "label", "reasons"])


class GroupingWarning(UserWarning):
    """A grouping problem that did not stop it (see `ParamGroups.warnings`)."""


@dataclass
class _Placement:
    weight_decay: float
    lr: Optional[float]
    label: Optional[str]
    extra: Dict[str, Any] = field(default_factory=dict)
    reasons: List[str] = field(default_factory=list)

    def key(self) -> Tuple[Any, ...]:
        """Parameters with equal keys share a group."""
        return (self.weight_decay, self.lr, self.label, tuple(sorted((k, js_json(v)) for k, v in self.extra.items())))


@dataclass
class Grouping:
    """What `build_groups` returns: groups of `Param`s (dicts with `params`, `weight_decay`,
    extra keys, `lr`, `label`, `reasons`), skipped parameters with the reason, and warnings."""

    groups: List[Dict[str, Any]]
    skipped: List[Tuple[Param, str]]
    warnings: List[str]


class ParamGroups(list):
    """The groups of `group_params`, ready for a `torch.optim` optimizer (a list of dicts),
    with `skipped` ([(name, reason)]: frozen parameters and those a rule skipped) and
    `warnings` (also issued as `GroupingWarning`s)."""

    skipped: List[Tuple[str, str]]
    warnings: List[str]


def _baseline(
    p: Param, verdict: NormalizationVerdict, decay_all: bool, exclude_scale_invariant: bool
) -> Tuple[bool, str]:
    """Whether the baseline decays one parameter, and why."""
    if decay_all:
        return True, "baseline decay-all: weight decay"
    if verdict.no_decay:
        return False, verdict.reason
    if is_bias(p.local_name):
        return False, f"bias of {p.module_kind}: no decay"
    if exclude_scale_invariant and p.feeds_normalization:
        return False, f"feeds {p.normalized_by or 'a normalization'} (scale-invariant): no decay"
    return True, f"{p.module_kind} {p.local_name}: weight decay"


def _apply_rule(placement: _Placement, compiled: CompiledRule, base_decay: float, base_lr: Optional[float]) -> None:
    rule = compiled.rule
    effects: List[str] = []
    if rule.get("weight_decay") is not None:
        placement.weight_decay = rule["weight_decay"]
        effects.append(f"weightDecay {js_number(rule['weight_decay'])}")
    if rule.get("weight_decay_multiplier") is not None:
        placement.weight_decay = base_decay * rule["weight_decay_multiplier"]
        effects.append(f"weightDecay ×{js_number(rule['weight_decay_multiplier'])}")
    if rule.get("lr") is not None:
        placement.lr = rule["lr"]
        effects.append(f"lr {js_number(rule['lr'])}")
    if rule.get("lr_multiplier") is not None:
        if base_lr is None:
            raise ValueError(f"{compiled.describe}: lr_multiplier needs lr")
        placement.lr = base_lr * rule["lr_multiplier"]
        effects.append(f"lr ×{js_number(rule['lr_multiplier'])}")
    for key, value in (rule.get("hyperparameters") or {}).items():
        placement.extra[key] = value
        effects.append(f"{key} {js_json(value)}")
    if rule.get("label") is not None:
        placement.label = rule["label"]
    elif rule.get("weight_decay") is not None or rule.get("weight_decay_multiplier") is not None:
        placement.label = "no_decay" if placement.weight_decay == 0 else "decay"
    placement.reasons.append(f"{compiled.describe}: {', '.join(effects) or 'matched'}")


class _SignalWarnings:
    """Placed parameters with weak verdicts, worded as one warning per verdict and evidence:
    parameters of a module of unknown kind (timm's rule), decayed parameters whose class name
    alone says normalization."""

    def __init__(self) -> None:
        self._doubts: Dict[Tuple[str, str], dict] = {}

    def note(self, param: Param, verdict: NormalizationVerdict, weight_decay: float) -> None:
        kind = verdict.verdict
        if kind != "unknown-kind" and not (kind == "name-only" and weight_decay > 0):
            return
        doubt = self._doubts.setdefault((kind, verdict.evidence), {"modules": {}, "names": [], "decayed": 0})
        doubt["modules"][param.module_path] = True
        doubt["names"].append(param.name)
        if weight_decay > 0:
            doubt["decayed"] += 1

    def messages(self) -> List[str]:
        out = []
        for (kind, evidence), doubt in self._doubts.items():
            names = doubt["names"]
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            where = f"{_plural(len(doubt['modules']), 'module')}, {_plural(len(names), 'parameter')}: {shown}"
            if kind == "name-only":
                out.append(f"{evidence}: they keep weight decay ({where})")
                continue
            decayed = doubt["decayed"]
            also = (
                f"; {decayed} of them have weight decay all the same (baseline decay-all or a rule)"
                if decayed > 0
                else ""
            )
            out.append(
                f"{evidence}: its parameters with ndim ≤ 1 go without weight decay by timm's rule ({where}){also}; "
                "export the model with example inputs so that the behaviour probe can decide"
            )
        return out


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def build_groups(
    model: ParamModel,
    *,
    weight_decay: float = 1e-4,
    lr: Optional[float] = None,
    baseline: str = "structural",
    exclude_scale_invariant: bool = False,
    rules: Sequence[Mapping[str, Any]] = (),
) -> Grouping:
    """The structural baseline then `rules`, over a `ParamModel`. Frozen parameters are skipped,
    tied ones placed once. Raises ValueError on a bad option or rule, naming it; a rule that
    matches nothing is a warning."""
    check_non_negative("group_params: weight_decay", weight_decay)
    if lr is not None:
        check_non_negative("group_params: lr", lr)
    if baseline not in ("structural", "decay-all"):
        raise ValueError(f'group_params: unknown baseline "{baseline}" (expected "structural" or "decay-all")')
    compiled = [compile_rule(rule, i) for i, rule in enumerate(rules)]
    for c in compiled:
        for key in c.rule.get("hyperparameters") or {}:
            if key in _RESERVED_KEYS:
                raise ValueError(f'{c.describe}: "{key}" cannot be set through hyperparameters')
    warnings: List[str] = []
    if not model.params:
        warnings.append(f'model "{model.name}" has no parameters')
    if exclude_scale_invariant and model.edges is None:
        # The TypeScript text, kept identical for the conformance suite.
        warnings.append(
            "excludeScaleInvariant: the module graph is unknown, so no weight is known to feed normalization"
        )
    signal_warnings = _SignalWarnings()
    matched = [False] * len(compiled)
    skipped: List[Tuple[Param, str]] = []
    groups: List[Dict[str, Any]] = []
    group_by_key: Dict[Tuple[Any, ...], Dict[str, Any]] = {}
    decayed = _Placement(weight_decay, lr, "decay")
    not_decayed = _Placement(0, lr, "no_decay")
    decay_all = baseline == "decay-all"
    for p in model.params:
        verdict = p.verdict
        decays, reason = _baseline(p, verdict, decay_all, exclude_scale_invariant)
        changed: Optional[_Placement] = None
        skip_by: Optional[CompiledRule] = None
        for i, c in enumerate(compiled):
            if not c.matches(p):
                continue
            matched[i] = True
            if c.rule.get("skip"):
                skip_by = c
                continue
            if changed is None:
                start = decayed if decays else not_decayed
                changed = _Placement(start.weight_decay, start.lr, start.label, {}, [reason])
            _apply_rule(changed, c, weight_decay, lr)
        if not p.trainable:
            skipped.append((p, "frozen (not trainable): in no group"))
            continue
        if skip_by is not None:
            skipped.append((p, f"{skip_by.describe}: skipped"))
            continue
        placement = changed or (decayed if decays else not_decayed)
        key = placement.key()
        group = group_by_key.get(key)
        if group is None:
            group = {"params": [], "weight_decay": placement.weight_decay, **placement.extra}
            if placement.lr is not None:
                group["lr"] = placement.lr
            if placement.label is not None:
                group["label"] = placement.label
            group["reasons"] = {}
            group_by_key[key] = group
            groups.append(group)
        group["params"].append(p)
        group["reasons"][p.name] = "; ".join(changed.reasons) if changed else reason
        signal_warnings.note(p, verdict, placement.weight_decay)
    warnings += [f"{c.describe} matches no parameter" for c, hit in zip(compiled, matched) if not hit]
    warnings += signal_warnings.messages()
    return Grouping(groups, skipped, warnings)


def group_params(
    model_or_structure: Any,
    weight_decay: float = 1e-4,
    lr: Optional[float] = None,
    baseline: str = "structural",
    exclude_scale_invariant: bool = False,
    rules: Sequence[Mapping[str, Any]] = (),
    *,
    example_args: Any = (),
    example_kwargs: Optional[Mapping[str, Any]] = None,
) -> ParamGroups:
    """Parameter groups for a `torch.nn.Module` (members are its tensors: pass the result to a
    `torch.optim` optimizer, which keeps `label` and `reasons`) or for a structure document
    (members are names). Each group: `params`, `weight_decay`, the rules' extra keys, `lr` (when
    given), `label`, `reasons` (by parameter name).

    baseline: "structural" (the default above) or "decay-all" (everything decays before the
    rules, as detectron2 and MMEngine start). exclude_scale_invariant: also no decay for weights
    that feed normalization (traces the model's data flow). rules: see `paramscope.rules`.
    example_args / example_kwargs: inputs for the behaviour probes of a live model (as
    `export_structure`), so custom normalizations are found by what they do."""
    needs_edges = exclude_scale_invariant or any(
        isinstance(rule, Mapping) and rule.get("feeds_normalization") is not None for rule in rules
    )
    model = to_param_model(
        model_or_structure, example_args=example_args, example_kwargs=example_kwargs, edges=needs_edges
    )
    result = build_groups(
        model,
        weight_decay=weight_decay,
        lr=lr,
        baseline=baseline,
        exclude_scale_invariant=exclude_scale_invariant,
        rules=rules,
    )
    out = ParamGroups(
        {**group, "params": [p.tensor if p.tensor is not None else p.name for p in group["params"]]}
        for group in result.groups
    )
    out.skipped = [(p.name, reason) for p, reason in result.skipped]
    out.warnings = result.warnings
    for message in result.warnings:
        python_warnings.warn(message, GroupingWarning, stacklevel=2)
    return out
