"""User rules for `group_params`: which parameters (by name pattern, local name, module kind,
normalization verdict) get which hyperparameters, and translators of timm's no-weight-decay list,
detectron2's `get_default_optimizer_params` and MMEngine's `paramwise_cfg` into rules.
TypeScript: `packages/params/src/grouping/rules.ts` (camelCase keys there, snake_case here; the
reason texts are the same).

A rule is a dict. Criteria (all given must hold; none: every parameter): `name` (a glob over
full dotted names, `*` matching anything including dots, or a compiled `re.Pattern`; any alias
counts), `name_contains`, `names`, `local_name`, `module_kind` (a kind or a list, compared with
the kind and the base kind), `normalization` (True: a strong signal calls the module a
normalization), `feeds_normalization`. Effects: `weight_decay` or `weight_decay_multiplier`, `lr`
or `lr_multiplier` (multipliers relative to the call's values), `hyperparameters` (extra group
keys such as `momentum`), `label`, `skip`. `description` names the rule in reasons."""

import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional

from .js_text import js_number

RULE_KEYS = (
    "description",
    "name",
    "name_contains",
    "names",
    "local_name",
    "module_kind",
    "normalization",
    "feeds_normalization",
    "weight_decay",
    "weight_decay_multiplier",
    "lr",
    "lr_multiplier",
    "hyperparameters",
    "skip",
    "label",
)

_CAMEL_HINTS = {
    "weightDecay": "weight_decay",
    "weightDecayMultiplier": "weight_decay_multiplier",
    "lrMultiplier": "lr_multiplier",
    "moduleKind": "module_kind",
    "localName": "local_name",
    "nameContains": "name_contains",
    "feedsNormalization": "feeds_normalization",
    "decay_mult": "weight_decay_multiplier",
    "lr_mult": "lr_multiplier",
}


def check_non_negative(what: str, value: Any) -> float:
    """`value` when it is a finite number ≥ 0; else a ValueError naming `what` and the value."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        shown = js_number(value) if isinstance(value, (int, float)) else repr(value)
        raise ValueError(f"{what} must be a finite number ≥ 0, got {shown}")
    return value


@dataclass
class CompiledRule:
    """A checked rule with its predicate and the text that names it in reasons."""

    rule: Mapping[str, Any]
    index: int
    describe: str
    matches: Callable[[Any], bool]


def _glob(pattern: str) -> "re.Pattern[str]":
    return re.compile("^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$")


def compile_rule(rule: Mapping[str, Any], index: int) -> CompiledRule:
    """Checks a rule (unknown keys, bad values) and compiles its criteria. Errors name the rule."""
    if not isinstance(rule, Mapping):
        raise TypeError(f"rule {index}: expected a dict, got {rule!r}")
    where = f"rule {index}" + (f' ("{rule["description"]}")' if rule.get("description") else "")
    for key in rule:
        if key not in RULE_KEYS:
            hint = f'; did you mean "{_CAMEL_HINTS[key]}"?' if key in _CAMEL_HINTS else ""
            raise ValueError(f'{where}: unknown field "{key}"{hint}')
    for key in ("weight_decay", "weight_decay_multiplier", "lr", "lr_multiplier"):
        if rule.get(key) is not None:
            check_non_negative(f"{where}: {key}", rule[key])
    if rule.get("weight_decay") is not None and rule.get("weight_decay_multiplier") is not None:
        raise ValueError(f"{where}: give weight_decay or weight_decay_multiplier, not both")
    if rule.get("lr") is not None and rule.get("lr_multiplier") is not None:
        raise ValueError(f"{where}: give lr or lr_multiplier, not both")
    tests: List[Callable[[Any], bool]] = []
    parts: List[str] = []

    def any_name(test: Callable[[str], bool]) -> Callable[[Any], bool]:
        return lambda p: test(p.name) or any(test(alias) for alias in p.aliases)

    name = rule.get("name")
    if name is not None:
        pattern = _glob(name) if isinstance(name, str) else name
        tests.append(any_name(lambda n: pattern.search(n) is not None))
        parts.append(f'name "{name}"' if isinstance(name, str) else f"name /{name.pattern}/")
    needle = rule.get("name_contains")
    if needle is not None:
        tests.append(any_name(lambda n: needle in n))
        parts.append(f'name contains "{needle}"')
    names = rule.get("names")
    if names is not None:
        wanted = set(names)
        tests.append(any_name(lambda n: n in wanted))
        parts.append(f"name in [{', '.join(names)}]")
    local = rule.get("local_name")
    if local is not None:
        tests.append(lambda p: p.local_name == local)
        parts.append(f'local name "{local}"')
    kinds_given = rule.get("module_kind")
    if kinds_given is not None:
        kinds = list(dict.fromkeys([kinds_given] if isinstance(kinds_given, str) else kinds_given))
        kind_set = set(kinds)
        tests.append(
            lambda p: p.module_kind in kind_set or (p.module_base_kind is not None and p.module_base_kind in kind_set)
        )
        parts.append(f"module kind {'|'.join(kinds)}")
    if rule.get("normalization") is not None:
        want_norm = bool(rule["normalization"])
        tests.append(lambda p: p.module.assessment.normalization == want_norm)
        parts.append("normalization module" if want_norm else "not a normalization module")
    if rule.get("feeds_normalization") is not None:
        want_feeds = bool(rule["feeds_normalization"])
        tests.append(lambda p: bool(p.feeds_normalization) == want_feeds)
        parts.append("feeds normalization" if want_feeds else "does not feed normalization")
    label = rule["description"] if rule.get("description") is not None else ", ".join(parts) or "every parameter"
    describe = f"rule {index} ({label})"
    return CompiledRule(rule, index, describe, lambda p: all(test(p) for test in tests))


def no_weight_decay_rule(names: Iterable[str]) -> Dict[str, Any]:
    """timm's `no_weight_decay()` list: these exact names get no decay."""
    return {"description": "no_weight_decay list", "names": list(names), "weight_decay": 0, "label": "no_decay"}


def detectron2_rules(
    *,
    weight_decay_norm: Optional[float] = None,
    bias_lr_factor: Optional[float] = None,
    weight_decay_bias: Optional[float] = None,
    overrides: Optional[Mapping[str, Mapping[str, float]]] = None,
) -> List[Dict[str, Any]]:
    """detectron2's `get_default_optimizer_params` as rules: normalization parameters get
    `weight_decay_norm`, biases `lr × bias_lr_factor` and `weight_decay_bias`, then `overrides`
    by local name (`{"embedding": {"weight_decay": 0}}`). Use with `baseline="decay-all"`."""
    rules: List[Dict[str, Any]] = []
    if weight_decay_norm is not None:
        rules.append(
            {"description": "detectron2 weight_decay_norm", "normalization": True, "weight_decay": weight_decay_norm}
        )
    if bias_lr_factor is not None or weight_decay_bias is not None:
        rule: Dict[str, Any] = {"description": "detectron2 bias", "local_name": "bias"}
        if bias_lr_factor is not None:
            rule["lr_multiplier"] = bias_lr_factor
        if weight_decay_bias is not None:
            rule["weight_decay"] = weight_decay_bias
        rules.append(rule)
    for local, values in (overrides or {}).items():
        rules.append({"description": f'detectron2 override "{local}"', "local_name": local, **values})
    return rules


_PARAMWISE_KEYS = ("bias_lr_mult", "bias_decay_mult", "norm_decay_mult", "custom_keys")


def paramwise_cfg_rules(cfg: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """MMEngine's `paramwise_cfg` (these keys: bias_lr_mult, bias_decay_mult, norm_decay_mult,
    custom_keys) as rules: `custom_keys` match by substring and the longest key wins (ties
    alphabetical), replacing the other multipliers. Use with `baseline="decay-all"`."""
    for key in cfg:
        if key not in _PARAMWISE_KEYS:
            raise ValueError(f'paramwise_cfg: unsupported key "{key}" (supported: {", ".join(_PARAMWISE_KEYS)})')
    rules: List[Dict[str, Any]] = []
    if cfg.get("bias_lr_mult") is not None or cfg.get("bias_decay_mult") is not None:
        rule: Dict[str, Any] = {"description": "paramwise_cfg bias", "local_name": "bias", "normalization": False}
        if cfg.get("bias_lr_mult") is not None:
            rule["lr_multiplier"] = cfg["bias_lr_mult"]
        if cfg.get("bias_decay_mult") is not None:
            rule["weight_decay_multiplier"] = cfg["bias_decay_mult"]
        rules.append(rule)
    if cfg.get("norm_decay_mult") is not None:
        rules.append(
            {
                "description": "paramwise_cfg norm",
                "normalization": True,
                "weight_decay_multiplier": cfg["norm_decay_mult"],
            }
        )
    custom = cfg.get("custom_keys") or {}
    # Applied in reverse priority, so the key MMEngine would pick (longest, then alphabetical) comes last.
    for key in reversed(sorted(sorted(custom), key=len, reverse=True)):
        entry = custom[key]
        rules.append(
            {
                "description": f'paramwise_cfg custom_keys "{key}"',
                "name_contains": key,
                "lr_multiplier": entry.get("lr_mult", 1),
                "weight_decay_multiplier": entry.get("decay_mult", 1),
            }
        )
    return rules
