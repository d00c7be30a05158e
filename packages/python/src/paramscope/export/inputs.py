"""Example inputs of a model: positional arguments, keyword arguments, nested containers."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

import torch


@dataclass
class ExampleInputs:
    """What the exporter passes to `model(*args, **kwargs)` for its forward passes."""

    args: Tuple[Any, ...] = ()
    kwargs: Dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_user(cls, example_args: Any = (), example_kwargs: Optional[Mapping] = None) -> "ExampleInputs":
        """Normalises what a user passes: a single tensor is one positional argument; a mapping
        (a dict, Hugging Face's BatchEncoding) is unpacked as keyword arguments, like
        `model(**batch)`; to pass a dict positionally wrap it in a tuple: `(batch,)`."""
        kwargs = dict(example_kwargs or {})
        if example_args is None:
            args: Tuple[Any, ...] = ()
        elif isinstance(example_args, torch.Tensor):
            args = (example_args,)
        elif isinstance(example_args, Mapping):
            overlap = sorted(set(example_args) & set(kwargs))
            if overlap:
                raise ValueError(f"example_args (a mapping) and example_kwargs both give {overlap}")
            args, kwargs = (), {**dict(example_args), **kwargs}
        elif isinstance(example_args, (tuple, list)):
            args = tuple(example_args)
        else:
            raise TypeError(
                "example_args must be a tensor, a tuple/list of arguments or a mapping, "
                f"got {type(example_args).__name__}"
            )
        return cls(args, kwargs)

    @property
    def given(self) -> bool:
        return bool(self.args) or bool(self.kwargs)

    def map_tensors(self, fn: Callable[[torch.Tensor], torch.Tensor]) -> "ExampleInputs":
        return ExampleInputs(map_tensors(self.args, fn), map_tensors(self.kwargs, fn))

    def call(self, model: torch.nn.Module) -> Any:
        return model(*self.args, **self.kwargs)


def map_tensors(value: Any, fn: Callable[[torch.Tensor], torch.Tensor]) -> Any:
    """`value` with `fn` applied to every tensor inside tuples, lists and mappings."""
    if isinstance(value, torch.Tensor):
        return fn(value)
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a namedtuple
        return type(value)(*(map_tensors(v, fn) for v in value))
    if isinstance(value, (tuple, list)):
        return type(value)(map_tensors(v, fn) for v in value)
    if isinstance(value, Mapping):
        return {k: map_tensors(v, fn) for k, v in value.items()}
    return value


def tensors_in(value: Any) -> List[torch.Tensor]:
    """The tensors in a (nested) argument or result, in order."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in tensors_in(v)]
    if isinstance(value, Mapping):
        return [t for v in value.values() for t in tensors_in(v)]
    return []


def model_device(model: torch.nn.Module) -> Optional[torch.device]:
    """The device of the model's first parameter or buffer (None for a model without tensors)."""
    for tensor in model.parameters():
        return tensor.device
    for tensor in model.buffers():
        return tensor.device
    return None
