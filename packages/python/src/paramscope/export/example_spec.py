"""Example inputs described in JSON, for the command line (`--example-json`).

The document is an object with "args" (a list) and/or "kwargs" (an object). Each value is:

- `{"randn": [2, 3, 224, 224]}`: a standard-normal tensor of that shape (float32 unless
  `"dtype"` says otherwise, e.g. `"dtype": "float16"`);
- `{"randint": [0, 100], "shape": [2, 8]}`: integers in [low, high) (int64 unless `"dtype"`);
- `{"zeros": [2, 8]}`, `{"ones": [2, 8]}`: constant tensors (float32 unless `"dtype"`);
- `{"tensor": [[1, 2], [3, 4]]}`: a literal tensor (int64 for integers, float32 for floats,
  unless `"dtype"`);
- a flat list of integers, `[2, 3, 224, 224]`: shorthand for `{"randn": [...]}` (write
  `{"tensor": [1, 2]}` for a literal 1-D integer tensor);
- any other list: a literal tensor, as `{"tensor": ...}`;
- any other object: a dict whose values follow these rules (for models that take dict inputs);
- a number, string, true/false or null: passed as it is.

Random tensors come from a generator seeded with 0, so a file describes one input exactly.
Example: `{"kwargs": {"input_ids": {"randint": [0, 100], "shape": [2, 8]},
"decoder_input_ids": {"randint": [0, 100], "shape": [2, 4]}}}`.
"""

import json
import os
from typing import Any, Dict, List

import torch

from .inputs import ExampleInputs

TENSOR_KEYS = ("randn", "randint", "zeros", "ones", "tensor")
DTYPES = {
    name: getattr(torch, name)
    for name in ("float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool")
}


class ExampleSpecError(ValueError):
    """A mistake in an example-input description; the message names the JSON path."""


def load_example_spec(text_or_path: str) -> ExampleInputs:
    """Reads JSON text (when it starts with `{`) or a file holding it, and builds the inputs."""
    if text_or_path.lstrip().startswith("{"):
        source, text = "the JSON given", text_or_path
    else:
        if not os.path.isfile(text_or_path):
            raise ExampleSpecError(f"{text_or_path!r} is neither JSON text (starting with '{{') nor a file")
        source = text_or_path
        with open(text_or_path, encoding="utf-8") as f:
            text = f.read()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ExampleSpecError(f"{source} is not valid JSON: {error}") from None
    return build_example_inputs(document)


def build_example_inputs(document: Any) -> ExampleInputs:
    if not isinstance(document, dict):
        raise ExampleSpecError(f'$: expected an object with "args" and/or "kwargs", got {json.dumps(document)[:60]}')
    unknown = sorted(set(document) - {"args", "kwargs"})
    if unknown:
        raise ExampleSpecError(f'$: unknown key {unknown[0]!r} (expected "args" and/or "kwargs")')
    args, kwargs = document.get("args", []), document.get("kwargs", {})
    if not isinstance(args, list):
        raise ExampleSpecError(f"$.args: expected a list, got {json.dumps(args)[:60]}")
    if not isinstance(kwargs, dict):
        raise ExampleSpecError(f"$.kwargs: expected an object, got {json.dumps(kwargs)[:60]}")
    generator = torch.Generator().manual_seed(0)
    return ExampleInputs(
        tuple(_value(v, f"$.args[{i}]", generator) for i, v in enumerate(args)),
        {k: _value(v, f"$.kwargs.{k}", generator) for k, v in kwargs.items()},
    )


def _value(spec: Any, path: str, generator: torch.Generator) -> Any:
    if isinstance(spec, dict):
        keys = [k for k in TENSOR_KEYS if k in spec]
        if len(keys) > 1:
            raise ExampleSpecError(f"{path}: one of {', '.join(TENSOR_KEYS)} at a time, got {keys}")
        if keys:
            return _tensor(spec, keys[0], path, generator)
        return {k: _value(v, f"{path}.{k}", generator) for k, v in spec.items()}
    if isinstance(spec, list):
        if spec and all(type(v) is int for v in spec):
            return torch.randn(_shape(spec, path), generator=generator)
        return _literal(spec, None, path)
    return spec


def _tensor(spec: Dict[str, Any], kind: str, path: str, generator: torch.Generator) -> torch.Tensor:
    allowed = {kind, "dtype"} | ({"shape"} if kind == "randint" else set())
    extra = sorted(set(spec) - allowed)
    if extra:
        raise ExampleSpecError(f"{path}.{extra[0]}: unknown key for a {kind!r} tensor (allowed: {sorted(allowed)})")
    dtype = _dtype(spec.get("dtype"), path)
    if kind == "tensor":
        return _literal(spec["tensor"], dtype, f"{path}.tensor")
    if kind == "randint":
        bounds = spec["randint"]
        if not (
            isinstance(bounds, list)
            and len(bounds) == 2
            and all(type(b) is int for b in bounds)
            and bounds[0] < bounds[1]
        ):
            raise ExampleSpecError(
                f"{path}.randint: expected [low, high] integers with low < high, got {json.dumps(bounds)}"
            )
        if "shape" not in spec:
            raise ExampleSpecError(f"{path}: a 'randint' tensor needs \"shape\"")
        return torch.randint(
            bounds[0],
            bounds[1],
            _shape(spec["shape"], f"{path}.shape"),
            generator=generator,
            dtype=dtype or torch.int64,
        )
    shape = _shape(spec[kind], f"{path}.{kind}")
    dtype = dtype or torch.float32
    if kind == "randn":
        return torch.randn(shape, generator=generator).to(dtype)
    return (torch.zeros if kind == "zeros" else torch.ones)(shape, dtype=dtype)


def _shape(value: Any, path: str) -> List[int]:
    if not isinstance(value, list) or not all(type(v) is int and v >= 0 for v in value):
        raise ExampleSpecError(f"{path}: expected a shape (a list of non-negative integers), got {json.dumps(value)}")
    return value


def _dtype(name: Any, path: str):
    if name is None:
        return None
    if name not in DTYPES:
        raise ExampleSpecError(f"{path}.dtype: unknown dtype {json.dumps(name)} (one of {', '.join(DTYPES)})")
    return DTYPES[name]


def _literal(value: Any, dtype, path: str) -> torch.Tensor:
    try:
        return torch.tensor(value, dtype=dtype)
    except (TypeError, ValueError, RuntimeError) as error:
        raise ExampleSpecError(f"{path}: not a tensor literal ({error})") from None
