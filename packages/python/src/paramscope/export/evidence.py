"""Normalization evidence for the modules that own parameters: the class hierarchy, a behaviour
probe (is the output unchanged when the input is scaled?) and the class name as a weak hint.

The probe, in numbers (docs/normalization-signals.md has the long form). A normalizer f
(BatchNorm, LayerNorm, GroupNorm, RMSNorm, ...) satisfies f(c·x) = f(x) for c > 0 up to its eps:
LayerNorm on rows of variance σ² gives f(c·x)/f(x) = sqrt((σ² + eps)/(σ² + eps/c²)), a relative
change of about eps·|1 − 1/c²|/(2σ²). Hidden states of randomly initialised models are small
(GPT-2, Llama: RMS ≈ 0.02), where eps = 1e-5 alone moves the output by 2e-2 at c = 0.5, and a
BatchNorm channel that is nearly dead after a ReLU6 has a variance 1e-8 of the tensor's. So the
probe first moves the recorded input along its own ray to a standard scale: every floating tensor
times one power of two, so that the largest RMS lies in [2^20, 2^21). There eps (≤ 1e-3) is below
one ulp of any variance above 1e-13 of the tensor's, and scaling by a power of two (the base, then
c = 0.5 and c = 4) commutes exactly with float32 rounding, so a normalizer's output comes out
bit-identical: maxRelChange = 0 (rounding enters only where a module mixes in unscaled values;
then a few ulp, 2^-23 ≈ 1.2e-7 each, i.e. 1e-7..1e-6). Every other module changes by O(1): at
that scale biases are negligible and Linear, Conv, layer scale, GELU/ReLU MLPs and attention are
homogeneous of degree one, changing by |c − 1|, so max over c = 3.

The tolerance, 1e-3, sits between the two: over three orders above float32 rounding of a
normalized output, and over two orders below the smallest change of a non-normalizer (0.5 at
c = 0.5). Measured on the 14 architectures of tools/fixtures (112 normalizers, 237 other
modules): every normalizer 0, every other module 3.0.

Known blind spot: a module that owns parameters and ends in a saturating function of its own
affine map (tanh(W x), a sigmoid gate alone) saturates at that scale and looks invariant. No
module of the fixtures does; a composite module whose output passes through a normalizing
submodule is handled by `discount_composites`.
"""

import copy
import math
import re
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional, Tuple

import torch
from torch import nn
from torch.nn.modules import batchnorm, instancenorm

from ..normalization import NORMALIZATION_KINDS, TORCHVISION_NORMALIZATION_KINDS
from .inputs import ExampleInputs, tensors_in

PROBE_SCALES = (0.5, 4.0)
PROBE_TOLERANCE = 1e-3
# log2 of the lower end of the RMS range [2^20, 2^21) the probe's base point is brought to.
BASE_RMS_LOG2 = 20
NAME_HINT = re.compile("norm", re.IGNORECASE)
PROBE_SEED = 0
# The noise of the dependence check comes from its own seed: a common one (0) could reproduce
# the input itself (x + x is only a scaling).
NOISE_SEED = 0x5EED_4A11


def _torch_norm_classes() -> List[type]:
    """torch.nn's normalization classes (RMSNorm exists from torch 2.4). `norm_hierarchy` walks
    a class's MRO, so the most derived of them names a module."""
    # The verdict's torch.nn kinds (torchvision's are not torch.nn classes) and the lazy InstanceNorms.
    names = sorted(NORMALIZATION_KINDS - TORCHVISION_NORMALIZATION_KINDS) + [f"LazyInstanceNorm{d}d" for d in (1, 2, 3)]
    classes = [getattr(nn, name) for name in names if hasattr(nn, name)]
    # Their private bases, for classes that derive from those directly.
    classes += [
        getattr(module, name)
        for module, name in [(batchnorm, "_BatchNorm"), (instancenorm, "_InstanceNorm"), (batchnorm, "_NormBase")]
        if hasattr(module, name)
    ]
    return classes


TORCH_NORM_CLASSES = tuple(_torch_norm_classes())


def norm_hierarchy(module: nn.Module) -> Optional[str]:
    """The torch.nn normalization class that `module`'s class is or derives from, by its MRO."""
    for cls in type(module).__mro__:
        if cls in TORCH_NORM_CLASSES:
            return cls.__name__
    return None


def name_hint(module: nn.Module) -> Optional[str]:
    """The class name when it looks like a normalization's: a weak signal, never decisive."""
    name = type(module).__name__
    return name if NAME_HINT.search(name) else None


def class_path(module: nn.Module) -> str:
    cls = type(module)
    return f"{cls.__module__}.{cls.__qualname__}"


def owns_parameters(module: nn.Module) -> bool:
    return next(iter(module.parameters(recurse=False)), None) is not None


# ---- Recording each parameterised module's input during the example forward pass ----


@contextmanager
def recorded_inputs(model: nn.Module, paths: List[str]) -> Iterator[Dict[str, ExampleInputs]]:
    """Records, while the block runs, the first input (positional and keyword arguments, cloned:
    later in-place operations must not change it) of each module at `paths`."""
    modules = dict(model.named_modules())
    recorded: Dict[str, ExampleInputs] = {}
    handles = []

    def recorder(path: str):
        def pre_hook(_module, args, kwargs):
            if path not in recorded:
                recorded[path] = ExampleInputs(args, kwargs).map_tensors(lambda t: t.detach().clone())

        return pre_hook

    for path in paths:
        handles.append(modules[path].register_forward_pre_hook(recorder(path), with_kwargs=True))
    try:
        yield recorded
    finally:
        for handle in handles:
            handle.remove()


# ---- The behaviour probe ----


class ProbeSkipped(Exception):
    """The probe cannot say anything about this module; the message says why."""


def _is_float(t: torch.Tensor) -> bool:
    return t.is_floating_point()


def _floating_output(value: Any) -> torch.Tensor:
    """All floating-point tensors of a module's output, flattened into one float64 vector."""
    parts = [t.detach().reshape(-1).double() for t in tensors_in(value) if _is_float(t)]
    if not parts:
        raise ProbeSkipped("its output has no floating-point tensor")
    return torch.cat(parts)


@contextmanager
def modes_restored(model: nn.Module) -> Iterator[None]:
    """Restores every submodule's own training flag (a model in training mode may hold frozen
    BatchNorms in eval mode: `model.train(was_training)` would lose that)."""
    modes = [(m, m.training) for m in model.modules()]
    try:
        yield
    finally:
        for m, training in modes:
            m.training = training


@contextmanager
def _preserved_state(module: nn.Module) -> Iterator[None]:
    """Restores buffers (BatchNorm's running statistics) and every submodule's training flag."""
    buffers = [(b, b.detach().clone()) for b in module.buffers()]
    try:
        with modes_restored(module):
            yield
    finally:
        with torch.no_grad():
            for buffer, saved in buffers:
                buffer.copy_(saved)


def _cuda_devices(module: nn.Module) -> List[int]:
    return sorted({p.device.index or 0 for p in module.parameters() if p.device.type == "cuda"})


def _run(module: nn.Module, inputs: ExampleInputs, devices: List[int]) -> torch.Tensor:
    # The same random state for every call, so dropout inside the module draws the same mask.
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(PROBE_SEED)
        return _floating_output(inputs.call(module))


def _float32_copy(module: nn.Module, inputs: ExampleInputs) -> Tuple[nn.Module, ExampleInputs]:
    """float16/bfloat16 round to 1e-3..1e-2: probe a float32 copy, where the tolerance holds."""
    low = (torch.float16, torch.bfloat16)
    if not any(t.dtype in low for t in list(module.parameters()) + list(module.buffers())):
        return module, inputs
    return (copy.deepcopy(module).float(), inputs.map_tensors(lambda t: t.float() if t.dtype in low else t))


def probe_scale_invariance(
    module: nn.Module, inputs: ExampleInputs, scales=PROBE_SCALES, tolerance=PROBE_TOLERANCE
) -> Dict[str, Any]:
    """Runs `module` in training mode on `inputs` (brought to RMS in [2^20, 2^21) by a power of two)
    and on the same inputs with every floating tensor scaled by each c in `scales`; returns the
    contract's probe record, or `{"skipped": why}`. The module's buffers and modes are restored."""
    try:
        return _probe(module, inputs, scales, tolerance)
    except ProbeSkipped as skipped:
        return {"skipped": str(skipped)}
    except Exception as error:  # the module's own code failed on this input: no evidence
        return {"skipped": f"the module raised {describe_error(error)}"}


def _probe(module: nn.Module, inputs: ExampleInputs, scales, tolerance) -> Dict[str, Any]:
    module, inputs = _float32_copy(module, inputs)
    floats = [t for t in tensors_in((inputs.args, inputs.kwargs)) if _is_float(t)]
    if not floats:
        raise ProbeSkipped("its input has no floating-point tensor to scale")
    rms = max(t.double().pow(2).mean().sqrt().item() for t in floats)
    if not math.isfinite(rms) or rms == 0:
        raise ProbeSkipped(f"its recorded input is {'zero' if rms == 0 else 'not finite'}")
    base_scale = 2.0 ** (BASE_RMS_LOG2 - math.floor(math.log2(rms)))
    base = inputs.map_tensors(lambda t: t * base_scale if _is_float(t) else t)
    devices = _cuda_devices(module)
    with _preserved_state(module), torch.no_grad():
        module.train()
        reference = _run(module, base, devices)
        _require_finite(reference, "at the base scale")
        reference_norm = reference.norm().item()
        if reference_norm == 0:
            raise ProbeSkipped("its output is zero")
        changes = []
        for c in scales:
            scaled = _run(module, base.map_tensors(lambda t, c=c: t * c if _is_float(t) else t), devices)
            _require_finite(scaled, f"with the input scaled by {c:g}")
            if scaled.shape != reference.shape:
                raise ProbeSkipped(f"its output changes size when the input is scaled by {c:g}")
            changes.append((scaled - reference).norm().item() / reference_norm)
        if max(changes) <= tolerance and _ignores_input_values(module, base, reference, devices, tolerance):
            raise ProbeSkipped(
                "its output does not depend on its input's values "
                "(unchanged by noise too): scale invariance says nothing"
            )
    max_change = max(changes)
    return {
        "scales": list(scales),
        "maxRelChange": float(f"{max_change:.3g}"),
        "tolerance": tolerance,
        "invariant": max_change <= tolerance,
    }


def _ignores_input_values(module, base: ExampleInputs, reference: torch.Tensor, devices, tolerance) -> bool:
    """True when adding noise as large as the input leaves the output as it was (a module that
    returns a table, reads only the input's shape): such a module is not a normalizer."""
    generator = torch.Generator(device="cpu").manual_seed(NOISE_SEED)

    def add_noise(t: torch.Tensor) -> torch.Tensor:
        if not _is_float(t):
            return t
        noise = torch.randn(t.shape, generator=generator, dtype=t.dtype).to(t.device)
        return t + noise * t.double().pow(2).mean().sqrt().item()

    noisy = _run(module, base.map_tensors(add_noise), devices)
    if noisy.shape != reference.shape or not torch.isfinite(noisy).all():
        return False
    return (noisy - reference).norm().item() / reference.norm().item() <= tolerance


def discount_composites(model: nn.Module, paths: List[str], probes: Dict[str, dict]) -> Dict[str, dict]:
    """A module with submodules whose output passes through a normalizer (torchvision's ViT
    Encoder: its own pos_embedding, then blocks, then LayerNorm) is invariant because of that
    submodule, which says nothing about its own parameters: such a verdict becomes a skip."""
    modules = dict(model.named_modules())

    def normalizes(path: str) -> bool:
        return isinstance(modules[path], TORCH_NORM_CLASSES) or probes.get(path, {}).get("invariant") is True

    result = dict(probes)
    for path in paths:
        if probes[path].get("invariant") is not True:
            continue
        prefix = f"{path}." if path else ""
        inner = next((p for p in modules if p != path and p.startswith(prefix) and normalizes(p)), None)
        if inner is not None:
            result[path] = {
                "skipped": f"its output passes through the normalizer '{inner}' inside it: "
                "invariance says nothing about its own parameters"
            }
    return result


def _require_finite(output: torch.Tensor, where: str) -> None:
    if not torch.isfinite(output).all():
        raise ProbeSkipped(f"its output is not finite {where}")


def describe_error(error: BaseException) -> str:
    """`Type: first line of the message`, for one-line notes and reasons."""
    text = str(error).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__
