"""Data-flow edges out of every module that owns parameters: where its output goes (a module, an
operation, the model's output) and through which scale-keeping operations.

Two routes: a `torch.fx` trace (no forward pass; works on `meta`), and, for models fx cannot trace
(every Hugging Face model), one forward pass with module hooks and a `TorchFunctionMode` that
records every torch function called between leaf modules. `trace_edges` tries them in that order
and never raises for a tracing failure: the result says which route gave the edges, or why
there are none."""

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set

import torch
from torch import fx, nn

from .evidence import TORCH_NORM_CLASSES, describe_error, modes_restored, owns_parameters
from .inputs import ExampleInputs, tensors_in

# Operations a weight's output may pass through on its way to a normalization and keep its
# scale (canonical names shared with the TypeScript side: SHAPE_OPS and HOMOGENEOUS_OPS).
FUNCTION_OPS = {
    "flatten": "flatten",
    "reshape": "reshape",
    "view": "view",
    "permute": "permute",
    "transpose": "transpose",
    "contiguous": "contiguous",
    "relu": "relu",
    "max_pool2d": "maxpool",
    "avg_pool2d": "avgpool",
    "adaptive_avg_pool2d": "avgpool",
    "pad": "pad",
    "dropout": "dropout",
}
MODULE_OPS = {
    "Identity": "identity",
    "Flatten": "flatten",
    "ReLU": "relu",
    "MaxPool2d": "maxpool",
    "AvgPool2d": "avgpool",
    "AdaptiveAvgPool2d": "avgpool",
    "Dropout": "dropout",
    "ZeroPad2d": "pad",
    "StochasticDepth": "dropout",
    "Permute": "permute",
}
# Uses that read a tensor's shape, not its values.
SHAPE_READS = {"size", "dim", "getattr", "assert", "shape", "get"}


@dataclass
class EdgeResult:
    route: str  # "fx", "hooks" or "none"
    edges: Optional[List[dict]]  # None when the graph is unknown
    notes: List[str] = field(default_factory=list)


def trace_edges(model: nn.Module, inputs: ExampleInputs, norm_paths: Set[str]) -> EdgeResult:
    """Edges from torch.fx, else from hooks on `inputs`, else none (with the reasons).
    Modules at `norm_paths` (normalizers found by evidence) stay single nodes in both routes."""
    name = type(model).__name__
    try:
        return EdgeResult("fx", fx_edges(model, norm_paths), ["edges from a torch.fx trace"])
    except Exception as error:
        fx_note = f"torch.fx could not trace {name}: {describe_error(error)}"
    if not inputs.given:
        return EdgeResult("none", None, [fx_note, "no example inputs for a forward pass with hooks: edges unknown"])
    try:
        edges = hook_edges(model, inputs, norm_paths)
    except Exception as error:
        return EdgeResult(
            "none", None, [fx_note, f"the forward pass with hooks failed: {describe_error(error)}; edges unknown"]
        )
    return EdgeResult("hooks", edges, [fx_note, "edges from one forward pass with hooks"])


def _is_norm_leaf(module: nn.Module, path: str, norm_paths: Set[str]) -> bool:
    return isinstance(module, TORCH_NORM_CLASSES) or path in norm_paths


# ---- torch.fx ----


class NormLeafTracer(fx.Tracer):
    """Keeps normalizations (torch.nn subclasses such as torchvision's LayerNorm2d, and custom
    ones found by evidence) as single nodes, so edges end at them."""

    def __init__(self, norm_paths: Set[str]):
        super().__init__()
        self.norm_paths = norm_paths

    def is_leaf_module(self, m: nn.Module, qualname: str) -> bool:
        return _is_norm_leaf(m, qualname, self.norm_paths) or super().is_leaf_module(m, qualname)


def _op_name(node: fx.Node) -> str:
    target = node.target
    name = target if isinstance(target, str) else getattr(target, "__name__", str(target))
    return name.strip("_").lower()


def fx_edges(model: nn.Module, norm_paths: Set[str]) -> List[dict]:
    graph = NormLeafTracer(norm_paths).trace(model)
    modules = dict(model.named_modules())
    edges: List[dict] = []
    seen = set()
    for node in graph.nodes:
        if node.op != "call_module" or not owns_parameters(modules[node.target]):
            continue
        frontier, visited = [(node, [])], set()
        while frontier:
            current, via = frontier.pop()
            if current in visited:
                continue
            visited.add(current)
            for user in current.users:
                to, follow = None, None
                if user.op == "output":
                    to = "output"
                elif user.op == "call_module":
                    kind = type(modules[user.target]).__name__
                    if kind in MODULE_OPS:
                        follow = MODULE_OPS[kind]
                    else:
                        to = user.target
                else:
                    name = _op_name(user)
                    if name in SHAPE_READS:
                        continue
                    if name in FUNCTION_OPS and user.args and user.args[0] is current:
                        follow = FUNCTION_OPS[name]
                    else:
                        to = f"op:{name}"
                if follow:
                    frontier.append((user, via + [follow]))
                else:
                    key = (node.target, to, tuple(via))
                    if key not in seen:
                        seen.add(key)
                        edges.append({"from": node.target, "to": to, "via": via})
    return edges


# ---- hooks ----


class _OpRecorder(torch.overrides.TorchFunctionMode):
    """Records every torch function called outside leaf modules, with its input and output tensors."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.ops = []  # (name, inputs, outputs); tensors are kept alive so their ids stay unique

    def __torch_function__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if self.depth == 0:
            name = getattr(func, "__name__", str(func)).strip("_").lower()
            self.ops.append((name, tensors_in((args, kwargs or {})), tensors_in(out)))
        return out


def hook_edges(model: nn.Module, inputs: ExampleInputs, norm_paths: Set[str]) -> List[dict]:
    modules = dict(model.named_modules())
    leaves = {path: m for path, m in modules.items() if not list(m.children()) or _is_norm_leaf(m, path, norm_paths)}
    recorder = _OpRecorder()
    calls = []  # (path, output tensors) of each top-level leaf call
    handles = []
    for path, module in leaves.items():

        def pre(_m, _args):
            recorder.depth += 1

        def post(_m, args, out, path=path):
            recorder.depth -= 1
            if recorder.depth == 0:
                calls.append((path, tensors_in(out)))
                recorder.ops.append(("module:" + path, tensors_in(args), tensors_in(out)))

        handles.append(module.register_forward_pre_hook(pre))
        handles.append(module.register_forward_hook(post))
    try:
        with modes_restored(model), torch.no_grad(), recorder:
            model.eval()
            output = inputs.call(model)
    finally:
        for handle in handles:
            handle.remove()
    return _edges_from_calls(modules, recorder.ops, calls, {id(t) for t in tensors_in(output)})


def _edges_from_calls(modules: Dict[str, nn.Module], ops, calls, output_ids) -> List[dict]:
    consumers: Dict[int, List[int]] = {}
    for index, (_name, op_inputs, _outputs) in enumerate(ops):
        for t in op_inputs:
            consumers.setdefault(id(t), []).append(index)
    edges: List[dict] = []
    seen = set()
    for path, outputs in calls:
        if not owns_parameters(modules[path]):
            continue
        frontier, visited = [(t, []) for t in outputs], set()
        while frontier:
            tensor, via = frontier.pop()
            if id(tensor) in visited:
                continue
            visited.add(id(tensor))
            targets = ["output"] if id(tensor) in output_ids else []
            for index in consumers.get(id(tensor), []):
                name, _ins, outs = ops[index]
                if name.startswith("module:"):
                    target = name[len("module:") :]
                    kind = type(modules[target]).__name__
                    if kind in MODULE_OPS:
                        frontier.extend((t, via + [MODULE_OPS[kind]]) for t in outs)
                    else:
                        targets.append(target)
                elif name in SHAPE_READS:
                    continue
                elif name in FUNCTION_OPS:
                    frontier.extend((t, via + [FUNCTION_OPS[name]]) for t in outs)
                else:
                    targets.append(f"op:{name}")
            for to in targets:
                key = (path, to, tuple(via))
                if key not in seen:
                    seen.add(key)
                    edges.append({"from": path, "to": to, "via": via})
    return edges
