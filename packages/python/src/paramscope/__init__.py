"""paramscope for PyTorch: export a model's structure (module tree, parameters, data flow and the
evidence that a module normalizes) for paramscope's grouping and verification."""

__version__ = "0.1.0"

from .check import check  # noqa: E402
from .export import export_structure, validate_structure  # noqa: E402 (needs __version__)
from .grouping import GroupingWarning, ParamGroups, group_params  # noqa: E402
from .inspector import InspectError, inspect, watch  # noqa: E402
from .model import StructureFileError  # noqa: E402
from .rules import detectron2_rules, no_weight_decay_rule, paramwise_cfg_rules  # noqa: E402
from .verify import ParamGroupsError, verify_param_groups  # noqa: E402

__all__ = ["__version__", "export_structure", "validate_structure"]
__all__ += ["InspectError", "inspect", "watch"]
__all__ += [
    "check",
    "group_params",
    "verify_param_groups",
    "ParamGroups",
    "ParamGroupsError",
    "GroupingWarning",
    "StructureFileError",
    "detectron2_rules",
    "no_weight_decay_rule",
    "paramwise_cfg_rules",
]
