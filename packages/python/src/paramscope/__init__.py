"""paramscope for PyTorch: export a model's structure (module tree, parameters, data flow and the
evidence that a module normalizes) for paramscope's grouping and verification."""
__version__ = "0.1.0"

from .export import export_structure, validate_structure  # noqa: E402 (needs __version__)

__all__ = ["__version__", "export_structure", "validate_structure"]
