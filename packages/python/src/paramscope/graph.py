"""Which weights feed a normalization layer directly: the scale-invariant weights of the
document's section 2, from the data-flow edges of a structure document or of the exporter.
TypeScript: `packages/params/src/model/graph.ts`, kept identical."""

from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

from .normalization import is_normalization_module

if TYPE_CHECKING:
    from .model import Module, Param

#: Operations that only move values around: a per-channel shift passes through them unchanged.
SHAPE_OPS = frozenset(["reshape", "view", "flatten", "transpose", "permute", "identity", "contiguous"])
#: Positively homogeneous operations (f(c·x) = c·f(x), c > 0) that do not commute with a shift.
HOMOGENEOUS_OPS = frozenset(["relu", "maxpool", "avgpool", "mean", "pad", "dropout"])
#: Module kinds whose output is linear in their weight.
LINEAR_IN_WEIGHT_KINDS = frozenset(
    [
        "Linear",
        "LazyLinear",
        "Conv1d",
        "Conv2d",
        "Conv3d",
        "ConvTranspose1d",
        "ConvTranspose2d",
        "ConvTranspose3d",
        "Embedding",
        "NonDynamicallyQuantizableLinear",
    ]
)
#: Normalizations that subtract a per-channel mean, so a per-channel bias before them cancels.
_PER_CHANNEL_NORM_PREFIXES = ("BatchNorm", "SyncBatchNorm", "LazyBatchNorm", "InstanceNorm", "FrozenBatchNorm")
#: Local names of the weight of a linear-in-weight module: PyTorch's, and TF.js's.
_WEIGHT_NAMES = frozenset(["weight", "kernel", "depthwise_kernel", "embeddings"])


def is_scale_transparent_op(op: str) -> bool:
    """True when scaling passes through the canonical operation `op` unchanged."""
    return op in SHAPE_OPS or op in HOMOGENEOUS_OPS


def feeds_normalization(
    modules: Sequence["Module"], params: Sequence["Param"], edges: Sequence[dict]
) -> Dict[str, Tuple[bool, Optional[str]]]:
    """For each module with a linear-in-weight kind: (does its weight feed normalization, the
    normalization it feeds). It does when every edge out of the module ends at a module that a
    strong signal calls a normalization, through scale-transparent operations, and a bias of the
    module would cancel (only in a per-channel normalization reached through shape-only ops)."""
    normalizers = {m.path for m in modules if is_normalization_module(m.facts)}
    # A per-channel test needs the torch.nn class: the hierarchy or base kind of a subclass.
    kind_of = {
        m.path: (m.facts.normalization or {}).get("hierarchy") or m.facts.base_kind or m.facts.kind for m in modules
    }
    edges_from: Dict[str, List[dict]] = {}
    for edge in edges:
        edges_from.setdefault(edge["from"], []).append(edge)
    has_bias = {p.module.path for p in params if p.local_name == "bias"}

    def reaches_norm(edge: dict) -> bool:
        return edge["to"] in normalizers and all(is_scale_transparent_op(op) for op in edge["via"])

    def bias_cancels(edge: dict) -> bool:
        return kind_of.get(edge["to"], "").startswith(_PER_CHANNEL_NORM_PREFIXES) and all(
            op in SHAPE_OPS for op in edge["via"]
        )

    verdicts: Dict[str, Tuple[bool, Optional[str]]] = {}
    for module in modules:
        facts = module.facts
        if facts.kind not in LINEAR_IN_WEIGHT_KINDS and (facts.base_kind or "") not in LINEAR_IN_WEIGHT_KINDS:
            continue
        out = edges_from.get(module.path, [])
        feeds = (
            len(out) > 0
            and all(reaches_norm(e) for e in out)
            and (module.path not in has_bias or all(bias_cancels(e) for e in out))
        )
        verdicts[module.path] = (feeds, out[0]["to"] if feeds else None)
    return verdicts


def mark_scale_invariant_weights(
    modules: Sequence["Module"], params: Sequence["Param"], edges: Optional[Sequence[dict]]
) -> None:
    """Sets `feeds_normalization` (and `normalized_by`) on the weights of linear-in-weight
    modules; other parameters get False. Leaves None when `edges` is None (graph unknown)."""
    if edges is None:
        return
    verdicts = feeds_normalization(modules, params, edges)
    for param in params:
        verdict = verdicts.get(param.module.path) if param.local_name in _WEIGHT_NAMES else None
        param.feeds_normalization = verdict[0] if verdict is not None else False
        if verdict is not None and verdict[1] is not None:
            param.normalized_by = verdict[1]
