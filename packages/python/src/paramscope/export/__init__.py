"""Structure files of PyTorch models: `export_structure(model, path, example_args=..., ...)`."""
from .structure import FORMAT, VERSION, dumps, export_structure
from .schema import validate_structure

__all__ = ["FORMAT", "VERSION", "dumps", "export_structure", "validate_structure"]
