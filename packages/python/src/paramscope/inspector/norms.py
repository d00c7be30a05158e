"""L2 norms of many tensors, computed where they live: tensors are grouped by device and dtype,
each group measured with `torch._foreach_norm`, and each device's norms read back in one
transfer (one synchronisation per device, not one per tensor)."""

import math
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Tuple

import torch

Norm = Optional[float]  # None: not finite, or no values to measure (meta device, no gradient)


def _measurable(tensor: Optional[torch.Tensor]) -> bool:
    return (
        isinstance(tensor, torch.Tensor)
        and tensor.device.type != "meta"
        and tensor.layout == torch.strided
        and (tensor.is_floating_point() or tensor.is_complex())
    )


def tensor_norms(tensors: Sequence[Optional[torch.Tensor]]) -> List[Norm]:
    """‖t‖₂ of each tensor, in order: a float, or None when it is not finite or cannot be measured
    (None, a meta tensor, an integer tensor). A tensor listed twice is measured once."""
    slots: Dict[int, int] = {}
    unique: List[torch.Tensor] = []
    slot_of: List[int] = []
    for tensor in tensors:
        if not _measurable(tensor):
            slot_of.append(-1)
            continue
        slot = slots.setdefault(id(tensor), len(unique))
        if slot == len(unique):
            unique.append(tensor)
        slot_of.append(slot)
    values = _measure(unique)
    return [values[slot] if slot >= 0 else None for slot in slot_of]


def _measure(tensors: List[torch.Tensor]) -> List[Norm]:
    by_device: Dict[torch.device, Dict[torch.dtype, List[Tuple[int, torch.Tensor]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for index, tensor in enumerate(tensors):
        by_device[tensor.device][tensor.dtype].append((index, tensor))
    values: List[Norm] = [None] * len(tensors)
    with torch.no_grad():
        for groups in by_device.values():
            order: List[int] = []
            pieces: List[torch.Tensor] = []
            for members in groups.values():
                order += [index for index, _ in members]
                # Half-precision values are summed in float32: their squares overflow float16.
                wider = torch.float32 if members[0][1].element_size() < 4 and not members[0][1].is_complex() else None
                norms = torch._foreach_norm([t.detach() for _, t in members], 2, wider)
                pieces.append(torch.stack(norms).to(torch.float64))
            read = torch.cat(pieces).tolist()  # the one transfer of this device
            for index, value in zip(order, read):
                values[index] = value if math.isfinite(value) else None
    return values
