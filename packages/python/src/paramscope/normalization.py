"""The one place that decides whether a parameter belongs to a normalization (TypeScript:
`packages/params/src/model/normalization.ts`, kept identical). It reads what is known about the
owning module — class knowledge (kind, base kind), the exporter's evidence (the torch.nn
hierarchy, the behaviour probe, the class name) — and what the model declares, and returns a
verdict with the reason text. Grouping, rules, the graph and verification all ask here."""

import re
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

from .js_text import format_measure

#: Normalization module kinds, as PyTorch (and torchvision) name them: class knowledge.
NORMALIZATION_KINDS = frozenset(
    [
        "BatchNorm1d",
        "BatchNorm2d",
        "BatchNorm3d",
        "SyncBatchNorm",
        "LazyBatchNorm1d",
        "LazyBatchNorm2d",
        "LazyBatchNorm3d",
        "LayerNorm",
        "GroupNorm",
        "InstanceNorm1d",
        "InstanceNorm2d",
        "InstanceNorm3d",
        "LocalResponseNorm",
        "RMSNorm",
        "LayerNorm2d",
        "FrozenBatchNorm2d",
    ]
)

TORCHVISION_NORMALIZATION_KINDS = frozenset(["LayerNorm2d", "FrozenBatchNorm2d"])

#: Classes that own parameters and are known not to normalize (torch.nn's, and TF.js layers
#: without a PyTorch name). Another kind, without a base kind or behaviour evidence, is unknown.
KNOWN_ORDINARY_KINDS = frozenset(
    [
        "Linear",
        "LazyLinear",
        "Bilinear",
        "NonDynamicallyQuantizableLinear",
        "Conv1d",
        "Conv2d",
        "Conv3d",
        "ConvTranspose1d",
        "ConvTranspose2d",
        "ConvTranspose3d",
        "LazyConv1d",
        "LazyConv2d",
        "LazyConv3d",
        "LazyConvTranspose1d",
        "LazyConvTranspose2d",
        "LazyConvTranspose3d",
        "Embedding",
        "EmbeddingBag",
        "MultiheadAttention",
        "PReLU",
        "RNN",
        "LSTM",
        "GRU",
        "RNNCell",
        "LSTMCell",
        "GRUCell",
        "SeparableConv2D",
        "SimpleRNN",
        "SimpleRNNCell",
        "ConvLSTM2D",
        "Bidirectional",
        "TimeDistributed",
    ]
)

_TRUSTED_CLASS_PATH = re.compile(r"^(torch\.nn\.|torchvision\.)")
_NORM_IN_NAME = re.compile("norm", re.IGNORECASE)


def is_normalization_kind(kind: str) -> bool:
    """True when `kind` is a normalization module kind (class knowledge)."""
    return kind in NORMALIZATION_KINDS


def is_bias(local_name: str) -> bool:
    """A bias: `bias`, or a `..._bias` such as MultiheadAttention's `in_proj_bias`."""
    return local_name == "bias" or local_name.endswith("_bias")


@dataclass(frozen=True)
class ModuleFacts:
    """What is known about a module: its class and the exporter's evidence (a structure
    file's `normalization` object, or None)."""

    kind: str
    base_kind: Optional[str] = None
    class_path: Optional[str] = None
    normalization: Optional[dict] = None


@dataclass
class ModuleAssessment:
    """What the signals say about one module."""

    normalization: bool  # a strong signal calls it a normalization
    signals: List[str]  # strong ones first, then "name"
    evidence: str  # what the deciding signal says, or why it is in doubt
    unknown_kind: bool  # neither class nor behaviour known: timm's ndim rule applies
    name_hint: Optional[str] = None  # the class name, when it looks like a normalization
    contrary: Optional[str] = None  # a probe measurement that contradicts the strong signal


@dataclass
class NormalizationVerdict:
    """The verdict on one parameter: `normalization`, `declared`, `unknown-kind`, `name-only`
    or `ordinary`, with the text that explains it."""

    verdict: str
    no_decay: bool  # the verdict alone takes the parameter out of weight decay
    signals: List[str] = field(default_factory=list)
    evidence: str = ""  # for findings and warnings ("" for ordinary)
    reason: str = ""  # the placement's reason when no_decay ("" otherwise)


def _list_scales(scales: Sequence[float]) -> str:
    """`0.5 and 4`, `0.5, 2 and 4`."""
    shown = [format_measure(s) for s in scales]
    return "".join(shown) if len(shown) <= 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _ran_probe(evidence: Optional[dict]) -> Optional[dict]:
    probe = (evidence or {}).get("probe")
    return probe if probe is not None and "skipped" not in probe else None


def _invariant_text(probe: dict) -> str:
    return (
        f"output unchanged when its input is scaled by {_list_scales(probe['scales'])} "
        f"(max rel. change {format_measure(probe['maxRelChange'])})"
    )


def _variant_text(probe: dict) -> str:
    return (
        f"the behaviour probe measured a relative output change of {format_measure(probe['maxRelChange'])} "
        f"> tolerance {format_measure(probe['tolerance'])} when its input was scaled by {_list_scales(probe['scales'])}"
    )


def _behaviour_unknown(evidence: Optional[dict]) -> str:
    probe = (evidence or {}).get("probe")
    if probe is not None and "skipped" in probe:
        return f"behaviour probe skipped: {probe['skipped']}"
    return "no behaviour probe"


def _kind_is_trusted(facts: ModuleFacts) -> bool:
    """A kind names a class only when the class is torch.nn's or torchvision's (or unknown, as
    in version 1 files): a user class may reuse a torch.nn name."""
    return facts.class_path is None or _TRUSTED_CLASS_PATH.match(facts.class_path) is not None


def _known_class(facts: ModuleFacts) -> bool:
    if _kind_is_trusted(facts) and (facts.kind in NORMALIZATION_KINDS or facts.kind in KNOWN_ORDINARY_KINDS):
        return True
    if facts.base_kind is not None and facts.base_kind != "Module":
        return True
    if (facts.normalization or {}).get("hierarchy") is not None:
        return True
    return facts.class_path is not None and facts.class_path.startswith("torch.nn.")


def _normalization_base(facts: ModuleFacts) -> Optional[str]:
    """The torch.nn normalization class a module is or derives from, when known."""
    hierarchy = (facts.normalization or {}).get("hierarchy")
    if hierarchy is not None:
        return hierarchy
    return facts.base_kind if facts.base_kind is not None and is_normalization_kind(facts.base_kind) else None


def _strong_signals(facts: ModuleFacts) -> List[str]:
    """The strong signals, most specific first (a subclass names its torch.nn base, then class
    knowledge, then the probe). Builds no text."""
    found = []
    base = _normalization_base(facts)
    if base is not None and base != facts.kind:
        found.append("hierarchy")
    if _kind_is_trusted(facts) and is_normalization_kind(facts.kind):
        found.append("class")
    if base is not None and base == facts.kind:
        found.append("hierarchy")
    probe = _ran_probe(facts.normalization)
    if probe is not None and probe.get("invariant"):
        found.append("probe")
    return found


def _strong_signal_text(signal: str, facts: ModuleFacts) -> str:
    base = _normalization_base(facts)
    if signal == "hierarchy" and base != facts.kind:
        return f"subclass of torch.nn {base}"
    if signal == "probe":
        return f"{_invariant_text(_ran_probe(facts.normalization))}: normalization"
    origin = "torchvision" if facts.kind in TORCHVISION_NORMALIZATION_KINDS else "torch.nn"
    return f"{origin} normalization class"


def assess_module(facts: ModuleFacts) -> ModuleAssessment:
    """Assesses one module from its class and the exporter's evidence."""
    signals = _strong_signals(facts)
    probe = _ran_probe(facts.normalization)
    if facts.normalization is not None:
        name_hint = facts.normalization.get("nameHint")
    else:
        name_hint = facts.kind if _NORM_IN_NAME.search(facts.kind) else None
    strong = len(signals) > 0
    if name_hint is not None:
        signals.append("name")
    if strong:
        evidence = _strong_signal_text(signals[0], facts)
        contrary = _variant_text(probe) if probe is not None and not probe.get("invariant") else None
        return ModuleAssessment(True, signals, evidence, False, name_hint, contrary)
    unknown_kind = not _known_class(facts) and probe is None
    evidence = ""
    if unknown_kind:
        unknown = _behaviour_unknown(facts.normalization)
        evidence = f"{facts.kind} is not a known class and its behaviour is unknown ({unknown})"
    if name_hint is not None and unknown_kind:
        evidence += f"; its class name {name_hint} looks like a normalization"
    elif name_hint is not None:
        why = _variant_text(probe) if probe is not None else "its class is known"
        evidence = f"its class name {name_hint} looks like a normalization, but no strong signal says so ({why})"
    return ModuleAssessment(False, signals, evidence, unknown_kind, name_hint)


def normalization_verdict(
    kind: str, assessment: ModuleAssessment, local_name: str, ndim: int, no_weight_decay: Optional[str] = None
) -> NormalizationVerdict:
    """The verdict on one parameter of a module of `kind` assessed as `assessment`:

    - `normalization`: a strong signal calls its module a normalization → no decay;
    - `declared`: the model declares it decay-free (`no_weight_decay` quotes where) → no decay;
    - `unknown-kind`: a module of unknown kind, ndim ≤ 1 and not a bias → no decay (timm's rule);
    - `name-only`: only the class name says normalization → the ordinary rules, with a warning;
    - `ordinary`: nothing says normalization."""
    signals = list(assessment.signals)
    if assessment.normalization:
        contrary = f" (though {assessment.contrary})" if assessment.contrary else ""
        evidence = (
            f"{assessment.evidence}, though {assessment.contrary}" if assessment.contrary else assessment.evidence
        )
        return NormalizationVerdict(
            "normalization", True, signals, evidence, f"{kind}: {assessment.evidence} → no decay{contrary}"
        )
    if no_weight_decay is not None:
        signals.append("declaration")
        evidence = f"declared decay-free: {no_weight_decay}"
        return NormalizationVerdict("declared", True, signals, evidence, f"{kind} {local_name}: {evidence} → no decay")
    if assessment.unknown_kind and ndim <= 1 and not is_bias(local_name):
        signals.append("ndim")
        reason = f"{kind} {local_name}: {assessment.evidence}; {ndim}-D → no decay (timm's ndim ≤ 1 rule)"
        return NormalizationVerdict("unknown-kind", True, signals, assessment.evidence, reason)
    if assessment.name_hint is not None:
        return NormalizationVerdict("name-only", False, signals, assessment.evidence)
    return NormalizationVerdict("ordinary", False, signals)


def is_normalization_module(facts: ModuleFacts) -> bool:
    """True when a strong signal (class, torch.nn hierarchy, behaviour probe) calls the module a
    normalization — never by parameter name."""
    return len(_strong_signals(facts)) > 0
