"""Write the structure file of any torch.nn.Module: its module tree, parameter names, shapes,
trainable flags and data-flow edges, without weights (schema: packages/core/README.md,
"Structure files"). paramscope reads it to show the model's parameter groups.

Usage from Python:
    from export_structure import export_structure
    export_structure(model, "model.json", name="my-model", example_input=torch.randn(2, 3, 224, 224))

Usage from the shell (torchvision models; regenerates the committed fixtures):
    python export_structure.py resnet18 resnet50 mobilenet_v2 vit_b_16 convnext_tiny --out ../fixtures/structures

With --recipes it also writes <model>.recipes.json: the parameter names each recipe of the
document's section 6 puts in its decay and no-decay groups, run on the real PyTorch model, so the
TypeScript ports can be checked against the originals.
"""
import argparse
import json
import sys

import torch
from torch import fx, nn

FORMAT = "paramscope-structure"
VERSION = 1

# Operations a weight's output may pass through on its way to a normalization and keep its
# scale (canonical names shared with the TypeScript side: SHAPE_OPS and HOMOGENEOUS_OPS).
FUNCTION_OPS = {
    "flatten": "flatten", "reshape": "reshape", "view": "view", "permute": "permute",
    "transpose": "transpose", "contiguous": "contiguous", "relu": "relu", "max_pool2d": "maxpool",
    "avg_pool2d": "avgpool", "adaptive_avg_pool2d": "avgpool", "pad": "pad", "dropout": "dropout",
}
MODULE_OPS = {
    "Identity": "identity", "Flatten": "flatten", "ReLU": "relu", "MaxPool2d": "maxpool",
    "AvgPool2d": "avgpool", "AdaptiveAvgPool2d": "avgpool", "Dropout": "dropout",
    "ZeroPad2d": "pad", "StochasticDepth": "dropout", "Permute": "permute",
}
# Uses that read a tensor's shape, not its values.
SHAPE_READS = {"size", "dim", "getattr", "_assert", "shape"}

NORM_TYPES = (
    nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm, nn.LayerNorm, nn.GroupNorm,
    nn.InstanceNorm1d, nn.InstanceNorm2d, nn.InstanceNorm3d, nn.LocalResponseNorm,
)


def torch_base_kind(module):
    """The nearest torch.nn class of a user-defined module class (None when it is one)."""
    cls = type(module)
    if cls.__module__.startswith("torch.nn."):
        return None
    for base in cls.__mro__[1:]:
        if base.__module__.startswith("torch.nn.") and base is not nn.Module:
            return base.__name__
    return None


def module_entries(model):
    canonical = {}
    for name, param in model.named_parameters(remove_duplicate=False):
        canonical.setdefault(id(param), name)
    entries = []
    for path, module in model.named_modules(remove_duplicate=False):
        entry = {"path": path, "kind": type(module).__name__}
        base = torch_base_kind(module)
        if base:
            entry["baseKind"] = base
        params = []
        for local, param in module.named_parameters(recurse=False, remove_duplicate=False):
            full = f"{path}.{local}" if path else local
            item = {"name": local, "shape": list(param.shape)}
            if not param.requires_grad:
                item["trainable"] = False
            if canonical[id(param)] != full:
                item["sameAs"] = canonical[id(param)]
            params.append(item)
        if params:
            entry["params"] = params
        entries.append(entry)
    return entries


class NormLeafTracer(fx.Tracer):
    """Keeps normalization subclasses (torchvision's LayerNorm2d) as single nodes."""

    def is_leaf_module(self, m, qualname):
        return isinstance(m, NORM_TYPES) or super().is_leaf_module(m, qualname)


def op_name(node):
    target = node.target
    name = target if isinstance(target, str) else getattr(target, "__name__", str(target))
    return name.strip("_").lower()


def graph_edges(model):
    """Data-flow edges out of every module that owns parameters, from a torch.fx trace."""
    graph = NormLeafTracer().trace(model)
    modules = dict(model.named_modules())
    edges, seen = [], set()
    for node in graph.nodes:
        if node.op != "call_module" or not list(modules[node.target].parameters(recurse=False)):
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
                    name = op_name(user)
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


def _tensors(value):
    """The tensors in a (nested) argument or result."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _tensors(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _tensors(v)]
    return []


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
            self.ops.append((name, _tensors((args, kwargs or {})), _tensors(out)))
        return out


def hook_edges(model, example_input):
    """Data-flow edges from one forward pass with hooks: for models torch.fx cannot trace."""
    modules = dict(model.named_modules())
    leaves = {path: m for path, m in modules.items() if not list(m.children()) or isinstance(m, NORM_TYPES)}
    recorder = _OpRecorder()
    calls = []  # (path, inputs, outputs, position in recorder.ops)
    handles = []
    for path, module in leaves.items():
        def pre(_m, args, path=path):
            recorder.depth += 1
        def post(_m, args, out, path=path):
            recorder.depth -= 1
            if recorder.depth == 0:
                calls.append((path, _tensors(args), _tensors(out), len(recorder.ops)))
                recorder.ops.append(("module:" + path, _tensors(args), _tensors(out)))
        handles.append(module.register_forward_pre_hook(pre))
        handles.append(module.register_forward_hook(post))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), recorder:
            output = model(example_input)
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    output_ids = {id(t) for t in _tensors(output)}
    consumers = {}
    for index, (_name, inputs, _outputs) in enumerate(recorder.ops):
        for t in inputs:
            consumers.setdefault(id(t), []).append(index)
    edges, seen = [], set()
    for path, _inputs, outputs, _at in calls:
        if not list(modules[path].parameters(recurse=False)):
            continue
        frontier, visited = [(t, []) for t in outputs], set()
        while frontier:
            tensor, via = frontier.pop()
            if id(tensor) in visited:
                continue
            visited.add(id(tensor))
            targets = []
            if id(tensor) in output_ids:
                targets.append(("output", None))
            for index in consumers.get(id(tensor), []):
                name, _ins, outs = recorder.ops[index]
                if name.startswith("module:"):
                    target = name[len("module:"):]
                    kind = type(modules[target]).__name__
                    if kind in MODULE_OPS:
                        frontier.extend((t, via + [MODULE_OPS[kind]]) for t in outs)
                    else:
                        targets.append((target, None))
                elif name in SHAPE_READS or name in ("get", "shape"):
                    continue
                elif name in FUNCTION_OPS:
                    frontier.extend((t, via + [FUNCTION_OPS[name]]) for t in outs)
                else:
                    targets.append((f"op:{name}", None))
            for to, _ in targets:
                key = (path, to, tuple(via))
                if key not in seen:
                    seen.add(key)
                    edges.append({"from": path, "to": to, "via": via})
    return edges


def structure(model, name, example_input=None, use_hooks=False):
    doc = {"format": FORMAT, "version": VERSION, "model": name,
           "generator": f"export_structure.py (torch {torch.__version__})",
           "modules": module_entries(model)}
    if use_hooks:
        doc["edges"] = hook_edges(model, example_input)
        return doc
    try:
        doc["edges"] = graph_edges(model)
    except Exception as error:  # torch.fx cannot trace it: fall back to hooks, else the graph is unknown
        if example_input is None:
            print(f"[export_structure] {name}: no edges (torch.fx could not trace it: {error}); "
                  "pass example_input to record them with hooks", file=sys.stderr)
            doc["edges"] = None
        else:
            doc["edges"] = hook_edges(model, example_input)
    return doc


def dumps(doc):
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


def export_structure(model, path, name=None, example_input=None, use_hooks=False):
    """Writes the structure file of `model` to `path`. The graph edges come from torch.fx; for a
    model it cannot trace (or with `use_hooks`), from one forward pass on `example_input` with
    hooks that record every torch function called between leaf modules."""
    doc = structure(model, name or type(model).__name__, example_input, use_hooks)
    with open(path, "w") as f:
        f.write(dumps(doc))
    return doc


# ---- The document's section 6 recipes, verbatim in their logic, returning names. ----

def names_of(model, params):
    by_id = {}
    for n, p in model.named_parameters():
        by_id.setdefault(id(p), n)
    return [by_id[id(p)] for p in params]


def recipe_method1(model):
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        if "bn" in name or "batch_norm" in name or "norm" in name:
            no_decay.append(name)
        elif "bias" in name:
            no_decay.append(name)
        else:
            decay.append(name)
    return decay, no_decay


def recipe_method2(model):
    bn_types = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.LayerNorm, nn.GroupNorm,
                nn.InstanceNorm1d, nn.InstanceNorm2d, nn.InstanceNorm3d)
    decay, no_decay = [], []
    for module_name, module in model.named_modules():
        for param_name, param in module.named_parameters(recurse=False):
            if not param.requires_grad:
                continue
            full = f"{module_name}.{param_name}" if module_name else param_name
            if isinstance(module, bn_types):
                no_decay.append(full)
            elif "bias" in param_name:
                no_decay.append(full)
            else:
                decay.append(full)
    return decay, no_decay


def recipe_method3(model):
    def exclude(name):
        if "bn" in name or "norm" in name:
            return True
        return "bias" in name
    named = list(model.named_parameters())
    return [n for n, _ in named if not exclude(n)], [n for n, _ in named if exclude(n)]


def recipe_method4(model):
    no_decay = ["bias", "bn", "norm", "BatchNorm", "LayerNorm", "GroupNorm"]
    named = list(model.named_parameters())
    return ([n for n, p in named if not any(nd in n for nd in no_decay) and p.requires_grad],
            [n for n, p in named if any(nd in n for nd in no_decay) and p.requires_grad])


def recipes(model):
    out = {}
    for key, fn in [("nameHeuristic", recipe_method1), ("moduleType", recipe_method2),
                    ("lars", recipe_method3), ("adamw", recipe_method4)]:
        decay, no_decay = fn(model)
        out[key] = {"decay": decay, "noDecay": no_decay}
    return out


def main():
    import torchvision

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="+", help="torchvision model builders, e.g. resnet18")
    parser.add_argument("--out", default=".", help="directory for <model>.json")
    parser.add_argument("--recipes", action="store_true", help="also write <model>.recipes.json")
    parser.add_argument("--hooks", action="store_true",
                        help="record edges with hooks on a 2x3x224x224 input instead of torch.fx")
    args = parser.parse_args()
    for name in args.models:
        model = getattr(torchvision.models, name)(weights=None)
        example = torch.randn(2, 3, 224, 224)
        doc = export_structure(model, f"{args.out}/{name}.json", name, example, use_hooks=args.hooks)
        edges = "unknown" if doc["edges"] is None else len(doc["edges"])
        print(f"{name}: {len(doc['modules'])} modules, {sum(1 for _ in model.parameters())} tensors, edges {edges}")
        if args.recipes:
            with open(f"{args.out}/{name}.recipes.json", "w") as f:
                json.dump(recipes(model), f, separators=(",", ":"))
                f.write("\n")


if __name__ == "__main__":
    main()
