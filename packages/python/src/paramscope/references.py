"""`package.module:attribute` references, as the command-line tools take factories."""

import importlib
from typing import Any


class FactoryError(ValueError):
    """The model factory could not be found or did not give a model."""


def resolve_reference(reference: str) -> Any:
    """The object named by `package.module:attribute` (the attribute may be dotted), uncalled."""
    module_name, sep, attribute = reference.partition(":")
    if not sep or not module_name or not attribute:
        raise FactoryError(f"expected package.module:factory, got {reference!r}")
    try:
        target = importlib.import_module(module_name)
    except ImportError as error:
        raise FactoryError(f"cannot import module {module_name!r}: {error}") from None
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise FactoryError(
                f"{getattr(target, '__name__', module_name)!r} has no attribute {part!r} (from {reference!r})"
            )
        target = getattr(target, part)
    return target
