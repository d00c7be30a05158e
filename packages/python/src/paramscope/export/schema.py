"""A checker for structure documents (version 1 and 2), mirroring the TypeScript loader's rules:
every problem with its JSON path, unknown fields included."""

import math
from typing import Any, Callable, Dict, List

Problems = List[str]


def validate_structure(doc: Any) -> Problems:
    """Every problem of `doc` as `"$.modules[3].params[0].shape: ..."`; empty when it is valid."""
    problems: Problems = []
    if not _object(doc, "$", problems):
        return problems
    version = doc.get("version")
    top = ["format", "version", "model", "generator", "modules", "edges"]
    _fields(doc, "$", top + (["export", "declarations"] if version == 2 else []), problems)
    if doc.get("format") != "paramscope-structure":
        problems.append(f'$.format: expected "paramscope-structure", got {doc.get("format")!r}')
    if version not in (1, 2):
        problems.append(f"$.version: expected 1 or 2, got {version!r}")
    _string(doc, "model", "$", problems, required=True)
    _string(doc, "generator", "$", problems)
    if version == 2 and "export" in doc and _object(doc["export"], "$.export", problems):
        export = doc["export"]
        _fields(export, "$.export", ["route", "device", "notes"], problems)
        if export.get("route") not in ("fx", "hooks", "none"):
            problems.append(f'$.export.route: expected "fx", "hooks" or "none", got {export.get("route")!r}')
        elif (export["route"] == "none") != (doc.get("edges") is None):
            problems.append(
                f"$.export.route: {export['route']!r} does not match edges "
                f"{'null' if doc.get('edges') is None else 'given'}"
            )
        _string(export, "device", "$.export", problems)
        _strings(export, "notes", "$.export", problems)
    if version == 2 and "declarations" in doc and _object(doc["declarations"], "$.declarations", problems):
        _fields(doc["declarations"], "$.declarations", ["noWeightDecay"], problems)
        _strings(doc["declarations"], "noWeightDecay", "$.declarations", problems)
    modules = doc.get("modules")
    if not isinstance(modules, list):
        problems.append("$.modules: expected a list")
        return problems
    seen_params: Dict[str, List[int]] = {}
    paths = set()
    for i, module in enumerate(modules):
        _module(module, f"$.modules[{i}]", version, problems, seen_params, paths)
    edges = doc.get("edges")
    if edges is not None:
        if not isinstance(edges, list):
            problems.append("$.edges: expected a list or null")
        else:
            for i, edge in enumerate(edges):
                _edge(edge, f"$.edges[{i}]", paths, problems)
    return problems


def _module(
    module: Any, path: str, version: Any, problems: Problems, seen_params: Dict[str, List[int]], paths: set
) -> None:
    if not _object(module, path, problems):
        return
    v2 = ["classPath", "normalization"] if version == 2 else []
    _fields(module, path, ["path", "kind", "baseKind", "params"] + v2, problems)
    _string(module, "path", path, problems, required=True)
    _string(module, "kind", path, problems, required=True)
    _string(module, "baseKind", path, problems)
    _string(module, "classPath", path, problems)
    module_path = module.get("path")
    if isinstance(module_path, str):
        if module_path in paths:
            problems.append(f"{path}.path: duplicate module path {module_path!r}")
        paths.add(module_path)
    for j, param in enumerate(module.get("params", []) if isinstance(module.get("params", []), list) else []):
        _param(param, f"{path}.params[{j}]", module_path, version, problems, seen_params)
    if "normalization" in module:
        _normalization(module["normalization"], f"{path}.normalization", problems)


def _param(
    param: Any, path: str, module_path: Any, version: Any, problems: Problems, seen_params: Dict[str, List[int]]
) -> None:
    if not _object(param, path, problems):
        return
    _fields(
        param, path, ["name", "shape", "trainable", "sameAs"] + (["noWeightDecay"] if version == 2 else []), problems
    )
    _string(param, "name", path, problems, required=True)
    shape = param.get("shape")
    if not isinstance(shape, list) or not all(type(d) is int and d >= 0 for d in shape):
        problems.append(f"{path}.shape: expected a list of non-negative integers, got {shape!r}")
    if "trainable" in param and not isinstance(param["trainable"], bool):
        problems.append(f"{path}.trainable: expected true or false, got {param['trainable']!r}")
    _string(param, "noWeightDecay", path, problems)
    full = f"{module_path}.{param.get('name')}" if module_path else str(param.get("name"))
    same_as = param.get("sameAs")
    if same_as is not None:
        if same_as not in seen_params:
            problems.append(f"{path}.sameAs: {same_as!r} is not an earlier parameter")
        elif seen_params[same_as] != shape:
            problems.append(f"{path}.sameAs: shape {shape} differs from {same_as!r}'s {seen_params[same_as]}")
    else:
        seen_params[full] = shape


def _normalization(record: Any, path: str, problems: Problems) -> None:
    if not _object(record, path, problems):
        return
    _fields(record, path, ["hierarchy", "probe", "nameHint"], problems)
    _string(record, "hierarchy", path, problems)
    _string(record, "nameHint", path, problems)
    probe = record.get("probe")
    if probe is None or not _object(probe, f"{path}.probe", problems):
        return
    if "skipped" in probe:
        _fields(probe, f"{path}.probe", ["skipped"], problems)
        _string(probe, "skipped", f"{path}.probe", problems, required=True)
        return
    _fields(probe, f"{path}.probe", ["scales", "maxRelChange", "tolerance", "invariant"], problems)
    scales = probe.get("scales")
    if not isinstance(scales, list) or not scales or not all(_finite_number(c) and c > 0 for c in scales):
        problems.append(f"{path}.probe.scales: expected positive numbers, got {scales!r}")
    for key in ("maxRelChange", "tolerance"):
        if not (_finite_number(probe.get(key)) and probe[key] >= 0):
            problems.append(f"{path}.probe.{key}: expected a finite non-negative number, got {probe.get(key)!r}")
    if not isinstance(probe.get("invariant"), bool):
        problems.append(f"{path}.probe.invariant: expected true or false, got {probe.get('invariant')!r}")


def _edge(edge: Any, path: str, module_paths: set, problems: Problems) -> None:
    if not _object(edge, path, problems):
        return
    _fields(edge, path, ["from", "to", "via"], problems)
    _string(edge, "from", path, problems, required=True)
    _string(edge, "to", path, problems, required=True)
    if edge.get("from") not in module_paths:
        problems.append(f"{path}.from: {edge.get('from')!r} is not a module path")
    via = edge.get("via")
    if not isinstance(via, list) or not all(isinstance(v, str) for v in via):
        problems.append(f"{path}.via: expected a list of strings, got {via!r}")


def _finite_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _object(value: Any, path: str, problems: Problems) -> bool:
    if isinstance(value, dict):
        return True
    problems.append(f"{path}: expected an object, got {type(value).__name__}")
    return False


def _fields(obj: Dict[str, Any], path: str, allowed: List[str], problems: Problems) -> None:
    problems.extend(f"{path}.{key}: unknown field" for key in obj if key not in allowed)


def _typed(check: Callable[[Any], bool], what: str):
    def validate(obj: Dict[str, Any], key: str, path: str, problems: Problems, required: bool = False) -> None:
        if key not in obj:
            if required:
                problems.append(f"{path}.{key}: missing")
        elif not check(obj[key]):
            problems.append(f"{path}.{key}: expected {what}, got {obj[key]!r}")

    return validate


_string = _typed(lambda v: isinstance(v, str), "a string")
_strings = _typed(lambda v: isinstance(v, list) and all(isinstance(s, str) for s in v), "a list of strings")
