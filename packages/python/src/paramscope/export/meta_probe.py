"""Behaviour probes for models on torch's `meta` device, which has shapes but no values: one real
instance per module class is built on the CPU, given deterministic weights and a random input
whose shape is inferred from its parameters, and probed; the verdict holds for every instance of
that class."""

import copy
import math
from typing import Dict, Iterator, List, Optional, Tuple

import torch
from torch import nn

from .evidence import class_path, describe_error, probe_scale_invariance
from .inputs import ExampleInputs

# A real copy of a module above this many elements (128 MiB in float32) is not built: a
# normalizer's parameters are vectors, far below it; a 7B model's embedding is above it.
MAX_PROBE_ELEMENTS = 2**25
SEED = 0


def probe_meta_classes(model: nn.Module, paths: List[str]) -> Dict[str, dict]:
    """The probe record of each module at `paths` (modules on `meta` that own parameters), one
    real probe per class, run on the class's smallest instance."""
    modules = dict(model.named_modules())
    by_class: Dict[str, List[str]] = {}
    for path in paths:
        by_class.setdefault(class_path(modules[path]), []).append(path)
    records: Dict[str, dict] = {}
    for class_paths in by_class.values():
        smallest = min(class_paths, key=lambda p: _elements(modules[p]))
        record = _probe_one(modules[smallest])
        for path in class_paths:
            records[path] = record
    return records


def _elements(module: nn.Module) -> int:
    return sum(t.numel() for t in module.parameters()) + sum(t.numel() for t in module.buffers())


def _probe_one(meta_module: nn.Module) -> dict:
    elements = _elements(meta_module)
    if elements > MAX_PROBE_ELEMENTS:
        return {
            "skipped": f"meta device: no real instance built ({elements} elements, over the "
            f"probe's limit of {MAX_PROBE_ELEMENTS})"
        }
    try:
        module = _real_instance(meta_module)
    except Exception as error:
        return {"skipped": f"meta device: no real instance could be built ({describe_error(error)})"}
    for inputs in _candidate_inputs(module):
        if _runs(module, inputs):
            return probe_scale_invariance(module, inputs)
    return {"skipped": "meta device: no input shape inferred from the parameters runs through the module"}


def _real_instance(meta_module: nn.Module) -> nn.Module:
    """A CPU copy with deterministic values: vectors ≈ 1 (plus noise, so that a `(1 + w)` or a
    zero bias is not special), matrices and kernels ~ N(0, 1/fan_in), buffers reset where the
    module knows how (BatchNorm's statistics), else ones for floating buffers and zeros for others."""
    module = copy.deepcopy(meta_module).to_empty(device="cpu")
    generator = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for sub in module.modules():
            if hasattr(sub, "reset_running_stats"):
                sub.reset_running_stats()
        reset = {
            id(b) for sub in module.modules() if hasattr(sub, "reset_running_stats") for b in sub.buffers(recurse=False)
        }
        for buffer in module.buffers():
            if id(buffer) not in reset:
                buffer.fill_(1 if buffer.is_floating_point() else 0)
        for param in module.parameters():
            noise = torch.randn(param.shape, generator=generator, dtype=torch.float32)
            if param.ndim <= 1:
                param.copy_(1 + 0.1 * noise)
            else:
                fan_in = max(1, param[0].numel())
                param.copy_(noise / math.sqrt(fan_in))
    return module


def _candidate_inputs(module: nn.Module) -> Iterator[ExampleInputs]:
    """Random inputs shaped after the module's parameters: for a vector of size d, d as the last
    axis (LayerNorm, RMSNorm) or as channels (BatchNorm, channels-first LayerNorm); for a matrix
    (out, in), `in` as the last axis; for a kernel (out, in, k...), `in` channels and a spatial
    size above the kernel's. Small odd sizes (3) keep the layouts from matching by accident."""
    generator = torch.Generator().manual_seed(SEED)
    dtype = next(module.parameters()).dtype
    dtype = dtype if dtype.is_floating_point else torch.float32
    for shape in _candidate_shapes(module):
        yield ExampleInputs((torch.randn(shape, generator=generator, dtype=torch.float32).to(dtype),))


def _candidate_shapes(module: nn.Module) -> List[Tuple[int, ...]]:
    shapes: List[Tuple[int, ...]] = []
    in_channels: Optional[int] = getattr(module, "in_channels", None)
    for param in sorted(module.parameters(), key=lambda p: -p.ndim):
        dims = tuple(param.shape)
        if len(dims) == 1:
            d = dims[0]
            shapes += [(2, 3, d), (4, d), (2, d, 3), (2, d, 3, 3), (2, d, 3, 3, 3)]
        elif len(dims) == 2:
            shapes += [(2, 3, dims[1]), (4, dims[1])]
        else:
            spatial = tuple(k + 4 for k in dims[2:])
            channels = in_channels if isinstance(in_channels, int) else dims[1]
            shapes += [(2, channels) + spatial, (2, dims[1]) + spatial]
    return list(dict.fromkeys(shapes))


def _runs(module: nn.Module, inputs: ExampleInputs) -> bool:
    was_training = module.training
    try:
        with torch.no_grad():
            module.train()
            out = inputs.call(module)
        return any(
            isinstance(t, torch.Tensor) and t.is_floating_point()
            for t in (out if isinstance(out, (tuple, list)) else [out])
        )
    except Exception:
        return False
    finally:
        module.train(was_training)
