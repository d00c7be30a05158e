"""The structure file (format "paramscope-structure", version 2) of any torch.nn.Module: its module
tree, parameter names, shapes, trainable flags, tied tensors, data-flow edges and the evidence
that a module normalizes, without weights. Schema: docs/normalization-signals.md and
packages/core/README.md ("Structure files")."""

import json
import sys
from typing import Any, Dict, List, Mapping, Optional, Set, Tuple

import torch
from torch import nn

from .. import __version__
from .declarations import declarations
from .edges import trace_edges
from .evidence import (
    class_path,
    describe_error,
    discount_composites,
    modes_restored,
    name_hint,
    norm_hierarchy,
    owns_parameters,
    probe_scale_invariance,
    recorded_inputs,
)
from .inputs import ExampleInputs, model_device
from .meta_probe import probe_meta_classes

FORMAT = "paramscope-structure"
VERSION = 2
NEVER_CALLED = "never called in the example forward pass"
NO_INPUTS = "no example inputs given"


def export_structure(
    model: nn.Module,
    path: Optional[str] = None,
    *,
    example_args: Any = (),
    example_kwargs: Optional[Mapping[str, Any]] = None,
    name: Optional[str] = None,
) -> Dict[str, Any]:
    """The structure document of `model` (a dict in the format of version 2), written to `path`
    as JSON when given.

    example_args / example_kwargs: what `model(*example_args, **example_kwargs)` takes. A single
    tensor may be passed as example_args; a mapping given as example_args (a dict, a Hugging Face
    BatchEncoding) is unpacked as keyword arguments. With example inputs, each module that owns
    parameters gets a behaviour probe (is its output unchanged when its input is scaled?), and
    edges can come from a forward pass with hooks when torch.fx cannot trace the model. Tensors
    on another device than the model's are moved to it (to `meta` for a model on `meta`).

    Tracing never raises: edges come from torch.fx, else from hooks, else the document says
    `"edges": null`; which route was taken, and why the one before failed, is printed on stderr
    (lines starting with `[paramscope]`) and kept in `export.notes`."""
    model_name = name or type(model).__name__
    device = model_device(model)
    inputs = _on_device(ExampleInputs.from_user(example_args, example_kwargs), device)
    nwd_entries, nwd_reasons, nwd_note = declarations(model)
    notes: List[str] = [nwd_note] if nwd_note else []

    modules = module_entries(model, nwd_reasons)
    evidence, evidence_notes = normalization_evidence(model, inputs, device)
    notes += evidence_notes
    for entry in modules:
        if entry["path"] in evidence:
            entry["normalization"] = evidence[entry["path"]]

    edge_result = trace_edges(model, inputs, strong_norm_paths(evidence))
    notes += edge_result.notes
    for note in notes:
        print(f"[paramscope] {model_name}: {note}", file=sys.stderr)

    doc: Dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "model": model_name,
        "generator": f"paramscope {__version__} (torch {torch.__version__})",
        "export": {"route": edge_result.route, "device": str(device) if device else "cpu", "notes": notes},
    }
    if nwd_entries is not None:
        doc["declarations"] = {"noWeightDecay": nwd_entries}
    doc["modules"] = modules
    doc["edges"] = edge_result.edges
    if path is not None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(dumps(doc))
    return doc


def module_entries(model: nn.Module, nwd_reasons: Dict[str, str]) -> List[Dict[str, Any]]:
    """One entry per module, parents before children, the root ("") first."""
    canonical: Dict[int, str] = {}
    for full, param in model.named_parameters(remove_duplicate=False):
        canonical.setdefault(id(param), full)
    entries = []
    for path, module in model.named_modules(remove_duplicate=False):
        entry: Dict[str, Any] = {"path": path, "kind": type(module).__name__}
        base = torch_base_kind(module)
        if base:
            entry["baseKind"] = base
        entry["classPath"] = class_path(module)
        params = []
        for local, param in module.named_parameters(recurse=False, remove_duplicate=False):
            full = f"{path}.{local}" if path else local
            item: Dict[str, Any] = {"name": local, "shape": list(param.shape)}
            if not param.requires_grad:
                item["trainable"] = False
            if canonical[id(param)] != full:
                item["sameAs"] = canonical[id(param)]
            elif full in nwd_reasons:
                item["noWeightDecay"] = nwd_reasons[full]
            params.append(item)
        if params:
            entry["params"] = params
        entries.append(entry)
    return entries


def torch_base_kind(module: nn.Module) -> Optional[str]:
    """The nearest torch.nn class of a user-defined module class (None when it is one, or when it
    derives from nn.Module only)."""
    cls = type(module)
    if cls.__module__.startswith("torch.nn."):
        return None
    for base in cls.__mro__[1:]:
        if base.__module__.startswith("torch.nn.") and base is not nn.Module:
            return base.__name__
    return None


def normalization_evidence(
    model: nn.Module, inputs: ExampleInputs, device: Optional[torch.device]
) -> Tuple[Dict[str, dict], List[str]]:
    """The contract's `normalization` object for every module that owns parameters, and notes."""
    modules = dict(model.named_modules())
    paths = [p for p, m in modules.items() if owns_parameters(m)]
    notes: List[str] = []
    if device is not None and device.type == "meta":
        probes = probe_meta_classes(model, paths)
        notes.append("meta device: behaviour probes ran on one real CPU instance per module class")
    elif not inputs.given:
        probes = {p: {"skipped": NO_INPUTS} for p in paths}
        if paths:
            notes.append(f"{NO_INPUTS}: behaviour probes skipped")
    else:
        probes, forward_note = _probe_recorded(model, inputs, paths)
        if forward_note:
            notes.append(forward_note)
    probes = discount_composites(model, paths, probes)
    evidence = {}
    for path in paths:
        module = modules[path]
        record: Dict[str, Any] = {}
        hierarchy = norm_hierarchy(module)
        if hierarchy:
            record["hierarchy"] = hierarchy
        record["probe"] = probes[path]
        hint = name_hint(module)
        if hint:
            record["nameHint"] = hint
        evidence[path] = record
    return evidence, notes


def _probe_recorded(model: nn.Module, inputs: ExampleInputs, paths: List[str]):
    """Records each module's input in one forward pass (eval mode, no gradients), then probes.
    Returns the probes and a note when the forward pass failed."""
    try:
        with modes_restored(model), recorded_inputs(model, paths) as recorded, torch.no_grad():
            model.eval()
            inputs.call(model)
    except Exception as error:
        reason = f"the example forward pass raised {describe_error(error)}"
        return {p: {"skipped": reason} for p in paths}, f"{reason}: behaviour probes skipped"
    modules = dict(model.named_modules())
    probes = {
        path: probe_scale_invariance(modules[path], recorded[path]) if path in recorded else {"skipped": NEVER_CALLED}
        for path in paths
    }
    return probes, None


def strong_norm_paths(evidence: Dict[str, dict]) -> Set[str]:
    """Modules that a strong signal calls normalizers: hierarchy, or an invariant probe."""
    return {
        path
        for path, record in evidence.items()
        if "hierarchy" in record or record.get("probe", {}).get("invariant") is True
    }


def _on_device(inputs: ExampleInputs, device: Optional[torch.device]) -> ExampleInputs:
    if device is None:
        return inputs
    return inputs.map_tensors(lambda t: t if t.device == device else t.to(device))


def dumps(doc: Dict[str, Any]) -> str:
    """JSON with one module or edge per line: small, and readable in a diff."""
    head = {k: v for k, v in doc.items() if k not in ("modules", "edges")}
    lines = [json.dumps(head)[:-1] + ',\n"modules": [']
    lines.append(",\n".join(json.dumps(m, separators=(",", ":")) for m in doc["modules"]))
    if doc["edges"] is None:
        lines.append('],\n"edges": null}\n')
    else:
        lines.append('],\n"edges": [')
        lines.append(",\n".join(json.dumps(e, separators=(",", ":")) for e in doc["edges"]))
        lines.append("]}\n")
    return "\n".join(lines)
