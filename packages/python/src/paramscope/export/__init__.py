"""Structure files of PyTorch models: `export_structure(model, path, example_args=..., ...)`."""

from .schema import validate_structure
from .structure import FORMAT, VERSION, dumps, export_structure

__all__ = ["FORMAT", "VERSION", "dumps", "export_structure", "validate_structure"]
