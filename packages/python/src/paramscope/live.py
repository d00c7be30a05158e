"""The parameter model of a live `torch.nn.Module`, through the exporter's pieces (class facts,
declarations, behaviour probes, edges) but in one pass over the module tree: the whole
`export_structure` document costs about 0.5 s on a 10,000-tensor model, mostly for the edges,
which only matter to know the weights that feed normalization (`edges=False` skips them).
Without example inputs (and off the `meta` device) the probes are skipped with the exporter's
reason without running anything, so every instance of a class shares its facts and assessment."""

import gc
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

from torch import nn

from .export.declarations import declared_no_weight_decay, no_weight_decay_reasons
from .export.edges import trace_edges
from .export.evidence import class_path, name_hint, norm_hierarchy
from .export.inputs import ExampleInputs, model_device
from .export.structure import NO_INPUTS, _on_device, normalization_evidence, strong_norm_paths, torch_base_kind
from .graph import mark_scale_invariant_weights
from .model import Module, Param, ParamModel
from .normalization import ModuleAssessment, ModuleFacts, assess_module


@contextmanager
def gc_paused() -> Iterator[None]:
    """No garbage collection while tens of thousands of small objects are made: a collection
    would walk every object of a large model each time (measured: 0.1 s → 0.5 s on 10,000 tensors)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _ClassFacts:
    """A module class's facts, computed once per class: without probe evidence (containers),
    and with the exporter's record for a module that owns parameters but could not be probed."""

    __slots__ = ("kind", "base", "cpath", "hierarchy", "hint", "plain", "unprobed", "unprobed_assessment")

    def __init__(self, module: nn.Module):
        self.kind = type(module).__name__
        self.base = torch_base_kind(module)
        self.cpath = class_path(module)
        self.hierarchy = norm_hierarchy(module)
        self.hint = name_hint(module)
        self.plain = ModuleFacts(self.kind, self.base, self.cpath, None)
        record: Dict[str, Any] = {}
        if self.hierarchy:
            record["hierarchy"] = self.hierarchy
        record["probe"] = {"skipped": NO_INPUTS}
        if self.hint:
            record["nameHint"] = self.hint
        self.unprobed = ModuleFacts(self.kind, self.base, self.cpath, record)
        self.unprobed_assessment: Optional[ModuleAssessment] = None

    def module(self, path: str, owns_params: bool, probed: Optional[Dict[str, dict]]) -> Module:
        if not owns_params:
            return Module(path, self.plain)
        if probed is not None:
            return Module(path, ModuleFacts(self.kind, self.base, self.cpath, probed[path]))
        if self.unprobed_assessment is None:
            self.unprobed_assessment = assess_module(self.unprobed)
        return Module(path, self.unprobed, self.unprobed_assessment)


def _declarations(model: nn.Module, flagged: bool) -> Tuple[Optional[List[str]], Dict[str, str], List[str]]:
    """The exporter's declarations (entries, reasons by name, notes), asked only when the model
    has a `no_weight_decay()` method or a flagged parameter."""
    entries, note = declared_no_weight_decay(model)
    reasons = no_weight_decay_reasons(model, entries) if entries or flagged else {}
    return entries, reasons, [note] if note else []


def param_model_from_module(
    model: nn.Module, *, example_args: Any = (), example_kwargs: Optional[Mapping[str, Any]] = None, edges: bool = True
) -> ParamModel:
    """The parameter model of `model`, with each parameter's live tensor: the same facts,
    evidence and declarations as `export_structure`. With example inputs the behaviour probes
    run; with `edges` the data flow is traced (torch.fx, else hooks on the example inputs), so
    the weights that feed normalization are known."""
    device = model_device(model)
    inputs = _on_device(ExampleInputs.from_user(example_args, example_kwargs), device)
    notes: List[str] = []
    probed = None
    if inputs.given or (device is not None and device.type == "meta"):
        probed, evidence_notes = normalization_evidence(model, inputs, device)
        notes += evidence_notes
    with gc_paused():
        classes: Dict[type, _ClassFacts] = {}
        first_name: Dict[int, Param] = {}
        params: List[Param] = []
        modules: List[Module] = []
        flagged = False
        for path, module in model.named_modules(remove_duplicate=False):
            facts = classes.get(type(module))
            if facts is None:
                facts = classes[type(module)] = _ClassFacts(module)
            owned = [(local, t) for local, t in module._parameters.items() if t is not None]
            entry = facts.module(path, bool(owned), probed)
            modules.append(entry)
            prefix = f"{path}." if path else ""
            for local, tensor in owned:
                full = prefix + local
                first = first_name.get(id(tensor))
                if first is not None:
                    first.aliases.append(full)
                    continue
                param = Param(full, list(tensor.shape), tensor.requires_grad, entry, local)
                param.tensor = tensor
                flagged = flagged or tensor.__dict__.get("_no_weight_decay") is True
                first_name[id(tensor)] = param
                params.append(param)
                entry.params.append(full)
        entries, reasons, declaration_notes = _declarations(model, flagged)
        for param in params if reasons else ():
            param.no_weight_decay = reasons.get(param.name)
        notes = declaration_notes + notes
        edge_list = None
        route = "none"
        if edges:
            evidence_by_path = {m.path: m.facts.normalization for m in modules if m.facts.normalization is not None}
            result = trace_edges(model, inputs, strong_norm_paths(evidence_by_path))
            edge_list, route = result.edges, result.route
            notes += result.notes
            mark_scale_invariant_weights(modules, params, edge_list)
        export = {"route": route, "device": str(device) if device else "cpu", "notes": notes}
        declared = {"noWeightDecay": entries} if entries is not None else None
        return ParamModel(type(model).__name__, params, modules, edge_list, export, declared)
