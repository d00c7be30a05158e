"""The parameter model of a live `torch.nn.Module`, through the exporter's pieces (class facts,
declarations, behaviour probes, edges) but in one pass over the module tree: the whole
`export_structure` document costs about 0.5 s on a 10,000-tensor model, mostly for the edges,
which only matter to know the weights that feed normalization (`edges=False` skips them).
Without example inputs (and off the `meta` device) the probes are skipped with the exporter's
reason, without running anything."""
from typing import Any, Dict, List, Mapping, Optional

from torch import nn

from .export.declarations import declarations
from .export.edges import trace_edges
from .export.evidence import class_path, name_hint, norm_hierarchy
from .export.inputs import ExampleInputs, model_device
from .export.structure import NO_INPUTS, _on_device, normalization_evidence, strong_norm_paths, torch_base_kind
from .model import Module, Param, ParamModel
from .graph import mark_scale_invariant_weights
from .normalization import ModuleFacts


def _class_facts(cls_cache: Dict[type, tuple], module: nn.Module) -> tuple:
    """(kind, baseKind, classPath, hierarchy, nameHint) of a module's class, computed once per class."""
    cls = type(module)
    facts = cls_cache.get(cls)
    if facts is None:
        facts = (cls.__name__, torch_base_kind(module), class_path(module), norm_hierarchy(module), name_hint(module))
        cls_cache[cls] = facts
    return facts


def _skipped_evidence(hierarchy: Optional[str], hint: Optional[str]) -> dict:
    """The exporter's evidence record when no probe can run (no example inputs)."""
    record: Dict[str, Any] = {}
    if hierarchy:
        record["hierarchy"] = hierarchy
    record["probe"] = {"skipped": NO_INPUTS}
    if hint:
        record["nameHint"] = hint
    return record


def param_model_from_module(model: nn.Module, *, example_args: Any = (),
                            example_kwargs: Optional[Mapping[str, Any]] = None, edges: bool = True) -> ParamModel:
    """The parameter model of `model`, with each parameter's live tensor. With example inputs
    the behaviour probes run (as in `export_structure`); with `edges` the data flow is traced
    (torch.fx, else hooks on the example inputs), so weights that feed normalization are known."""
    device = model_device(model)
    inputs = _on_device(ExampleInputs.from_user(example_args, example_kwargs), device)
    nwd_entries, nwd_reasons, nwd_note = declarations(model)
    probe_evidence = None
    notes: List[str] = [nwd_note] if nwd_note else []
    if inputs.given or (device is not None and device.type == "meta"):
        probe_evidence, evidence_notes = normalization_evidence(model, inputs, device)
        notes += evidence_notes
    cls_cache: Dict[type, tuple] = {}
    canonical: Dict[int, Param] = {}
    params: List[Param] = []
    modules: List[Module] = []
    for path, module in model.named_modules(remove_duplicate=False):
        kind, base, cpath, hierarchy, hint = _class_facts(cls_cache, module)
        owned = [(local, p) for local, p in module._parameters.items() if p is not None]
        evidence = None
        if owned:
            evidence = probe_evidence[path] if probe_evidence is not None else _skipped_evidence(hierarchy, hint)
        entry = Module(path, ModuleFacts(kind, base, cpath, evidence))
        modules.append(entry)
        prefix = f"{path}." if path else ""
        for local, tensor in owned:
            full = prefix + local
            first = canonical.get(id(tensor))
            if first is not None:
                first.aliases.append(full)
                continue
            param = Param(full, list(tensor.shape), tensor.requires_grad, entry, local, nwd_reasons.get(full))
            param.tensor = tensor
            canonical[id(tensor)] = param
            params.append(param)
            entry.params.append(full)
    edge_list = None
    route = "none"
    if edges:
        evidence_by_path = {m.path: m.facts.normalization for m in modules if m.facts.normalization is not None}
        result = trace_edges(model, inputs, strong_norm_paths(evidence_by_path))
        edge_list, route = result.edges, result.route
        notes += result.notes
        mark_scale_invariant_weights(modules, params, edge_list)
    export = {"route": route, "device": str(device) if device else "cpu", "notes": notes}
    declared = {"noWeightDecay": nwd_entries} if nwd_entries is not None else None
    return ParamModel(type(model).__name__, params, modules, edge_list, export, declared)
