"""What a model declares about weight decay itself.

- timm's `model.no_weight_decay()`: a collection of parameter names or patterns. timm's optimizer
  factory (`timm.optim.param_groups_weight_decay`, timm 1.0) matches each trainable parameter's
  name from `model.named_parameters()` against every entry with `fnmatch` (so an entry without
  wildcards must equal the full name; `blocks.*.gamma` matches across dots). Older timm
  compared names for equality, which `fnmatch` includes. Entries are matched case-sensitively
  here, as on Linux.
- a `_no_weight_decay` attribute set to True on a parameter (Mamba and S4 code use it).
"""

from fnmatch import fnmatchcase
from typing import Dict, List, Optional, Tuple

from torch import nn


def declared_no_weight_decay(model: nn.Module) -> Tuple[Optional[List[str]], Optional[str]]:
    """The sorted entries of `model.no_weight_decay()` (None when the model has no such method),
    and a note when the method failed or returned something other than names (then ignored)."""
    method = getattr(model, "no_weight_decay", None)
    if not callable(method):
        return None, None
    try:
        entries = method()
    except Exception as error:
        return None, f"model.no_weight_decay() raised {type(error).__name__}: {error}; ignored"
    if isinstance(entries, str) or not all(isinstance(e, str) for e in entries):
        return None, f"model.no_weight_decay() returned {entries!r}, not a collection of parameter names; ignored"
    return sorted(set(entries)), None


def no_weight_decay_reasons(model: nn.Module, entries: Optional[List[str]]) -> Dict[str, str]:
    """The full name of every parameter the model declares decay-free, with the reason text.
    Only canonical names (the first reference of a tied tensor), as timm's factory sees them."""
    reasons: Dict[str, str] = {}
    for name, param in model.named_parameters():
        if getattr(param, "_no_weight_decay", False) is True:
            reasons[name] = "_no_weight_decay attribute on the parameter"
            continue
        if not param.requires_grad or not entries:
            continue
        match = _first_match(name, entries)
        if match is not None:
            what = f"'{match}'" if match == name else f"'{match}' (matches '{name}')"
            reasons[name] = f"model.no_weight_decay() lists {what}"
    return reasons


def _first_match(name: str, entries: List[str]) -> Optional[str]:
    for entry in entries:
        if fnmatchcase(name, entry):
            return entry
    return None


def declarations(model: nn.Module) -> Tuple[Optional[List[str]], Dict[str, str], Optional[str]]:
    """(the entries of model.no_weight_decay() or None, reasons by parameter name, a note or None)."""
    entries, note = declared_no_weight_decay(model)
    return entries, no_weight_decay_reasons(model, entries), note
