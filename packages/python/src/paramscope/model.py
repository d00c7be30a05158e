"""The parameter model: one view of a model's parameters, from a structure document (a dict or a
JSON file, version 1 or 2) or from a live `torch.nn.Module` through the exporter. TypeScript:
`ParamModel` (`packages/params/src/model/types.ts`, `structure/load.ts`)."""

import json
import math
import os
from typing import Any, Dict, List, Mapping, Optional

from .graph import mark_scale_invariant_weights
from .normalization import ModuleAssessment, ModuleFacts, NormalizationVerdict, assess_module, normalization_verdict


class StructureFileError(ValueError):
    """A structure document that does not match the schema; `problems` lists each with its
    JSON path (`$.modules[3].params[0].shape[1]: ...`)."""

    def __init__(self, problems: List[str]):
        self.problems = problems
        shown = problems[:100]
        more = f"\n  ... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        super().__init__("invalid structure file:\n  " + "\n  ".join(shown) + more)


class Module:
    """One module of the tree: its path, class facts, evidence and the canonical names of the
    parameters it owns directly. Its normalization assessment is computed once."""

    __slots__ = ("path", "facts", "params", "_assessment")

    def __init__(self, path: str, facts: ModuleFacts, assessment: Optional[ModuleAssessment] = None):
        self.path = path
        self.facts = facts
        self.params: List[str] = []
        # Given when modules share their facts (every instance of a class, without probes).
        self._assessment = assessment

    @property
    def kind(self) -> str:
        return self.facts.kind

    @property
    def assessment(self) -> ModuleAssessment:
        if self._assessment is None:
            self._assessment = assess_module(self.facts)
        return self._assessment


class Param:
    """One parameter tensor. A tied tensor appears once: `name` is its first name and `aliases`
    its other names. `tensor` is the live torch tensor when read from a module."""

    __slots__ = (
        "name",
        "aliases",
        "shape",
        "size",
        "trainable",
        "module",
        "local_name",
        "no_weight_decay",
        "feeds_normalization",
        "normalized_by",
        "tensor",
        "_verdict",
    )

    def __init__(
        self,
        name: str,
        shape: List[int],
        trainable: bool,
        module: Module,
        local_name: str,
        no_weight_decay: Optional[str] = None,
    ):
        self.name = name
        self.aliases: List[str] = []
        self.shape = shape
        self.size = math.prod(shape)
        self.trainable = trainable
        self.module = module
        self.local_name = local_name
        self.no_weight_decay = no_weight_decay
        self.feeds_normalization: Optional[bool] = None  # None when the graph is unknown
        self.normalized_by: Optional[str] = None
        self.tensor: Any = None
        self._verdict: Optional[NormalizationVerdict] = None

    @property
    def module_path(self) -> str:
        return self.module.path

    @property
    def module_kind(self) -> str:
        return self.module.facts.kind

    @property
    def module_base_kind(self) -> Optional[str]:
        return self.module.facts.base_kind

    @property
    def verdict(self) -> NormalizationVerdict:
        """The normalization verdict (see `normalization.normalization_verdict`), computed once."""
        if self._verdict is None:
            self._verdict = normalization_verdict(
                self.module.facts.kind, self.module.assessment, self.local_name, len(self.shape), self.no_weight_decay
            )
        return self._verdict

    def names(self) -> List[str]:
        """Its canonical name, then its aliases."""
        return [self.name, *self.aliases] if self.aliases else [self.name]

    def __repr__(self) -> str:
        return f"Param({self.name!r}, shape={self.shape})"


class ParamModel:
    """Every distinct parameter (in `named_parameters()` order), every module (parents first),
    the data-flow edges (None when unknown), and lookups by name (aliases too) and by tensor."""

    def __init__(
        self,
        name: str,
        params: List[Param],
        modules: List[Module],
        edges: Optional[List[dict]],
        export: Optional[dict] = None,
        declarations: Optional[dict] = None,
    ):
        self.name = name
        self.params = params
        self.modules = modules
        self.edges = edges
        self.export = export
        self.declarations = declarations
        self.by_name: Dict[str, Param] = {}
        self.by_tensor: Dict[int, Param] = {}
        for param in params:
            for alias in param.names():
                if alias in self.by_name:
                    raise ValueError(f'model "{name}": parameter "{alias}" is given twice')
                self.by_name[alias] = param
            if param.tensor is not None:
                self.by_tensor[id(param.tensor)] = param


def _module_facts(entry: Mapping[str, Any]) -> ModuleFacts:
    return ModuleFacts(entry["kind"], entry.get("baseKind"), entry.get("classPath"), entry.get("normalization"))


def param_model_from_structure(doc: Any, *, validate: bool = True) -> ParamModel:
    """The parameter model of a structure document (a dict, JSON text, or a path to a JSON
    file). Names given by `sameAs` become aliases; weights that feed normalization are marked
    when the document has edges. Raises `StructureFileError` listing every problem."""
    if isinstance(doc, (str, os.PathLike)):
        text = str(doc)
        if not text.lstrip().startswith("{"):
            with open(text, encoding="utf-8") as f:
                text = f.read()
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as error:
            raise StructureFileError([f"$: not JSON: {error}"]) from None
    if validate:
        from .export.schema import validate_structure

        problems = validate_structure(doc)
        if problems:
            raise StructureFileError(problems)
    params: List[Param] = []
    by_name: Dict[str, Param] = {}
    modules: List[Module] = []
    for entry in doc["modules"]:
        module = Module(entry["path"], _module_facts(entry))
        modules.append(module)
        prefix = f"{module.path}." if module.path else ""
        for item in entry.get("params") or ():
            name = prefix + item["name"]
            same_as = item.get("sameAs")
            if same_as is not None:
                by_name[same_as].aliases.append(name)
                continue
            param = Param(
                name, list(item["shape"]), item.get("trainable", True), module, item["name"], item.get("noWeightDecay")
            )
            params.append(param)
            by_name[name] = param
            module.params.append(name)
    edges = doc.get("edges")
    mark_scale_invariant_weights(modules, params, edges)
    return ParamModel(doc["model"], params, modules, edges, doc.get("export"), doc.get("declarations"))


def to_param_model(
    source: Any, *, example_args: Any = (), example_kwargs: Optional[Mapping[str, Any]] = None, edges: bool = True
) -> ParamModel:
    """A `ParamModel` as it is, a live `torch.nn.Module` (read through the exporter; `edges`:
    trace the data flow, needed only to know which weights feed normalization), or a structure
    document (dict, JSON text or file path)."""
    if isinstance(source, ParamModel):
        return source
    if isinstance(source, (dict, str, os.PathLike)):
        return param_model_from_structure(source)
    from torch import nn

    if isinstance(source, nn.Module):
        from .live import param_model_from_module

        return param_model_from_module(source, example_args=example_args, example_kwargs=example_kwargs, edges=edges)
    raise TypeError(
        f"expected a torch.nn.Module, a structure document (dict, JSON text or path) or a ParamModel, "
        f"got {type(source).__name__}"
    )
