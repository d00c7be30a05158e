"""`python -m paramscope.export package.module:factory --out file.json [--example-json …] [--name …]`"""

import argparse
import sys
from typing import List, Optional

from torch import nn

from ..references import FactoryError, resolve_reference
from .example_spec import ExampleSpecError, load_example_spec
from .structure import export_structure


def load_model(reference: str) -> nn.Module:
    """The model named by `package.module:attribute`: a module-level nn.Module, or a callable
    (a class, a function) that returns one when called without arguments."""
    target = resolve_reference(reference)
    if isinstance(target, nn.Module):
        return target
    if not callable(target):
        raise FactoryError(
            f"{reference!r} is a {type(target).__name__}, neither an nn.Module nor a callable returning one"
        )
    try:
        model = target()
    except Exception as error:
        raise FactoryError(f"calling {reference}() raised {type(error).__name__}: {error}") from None
    if not isinstance(model, nn.Module):
        raise FactoryError(f"{reference}() returned a {type(model).__name__}, not an nn.Module")
    return model


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m paramscope.export",
        description="Write the structure file of a PyTorch model (modules, parameters, data flow, "
        "normalization evidence; no weights).",
    )
    parser.add_argument(
        "factory",
        help="package.module:factory — a callable returning the model, "
        "or a module-level nn.Module (imported from the current directory too)",
    )
    parser.add_argument("--out", required=True, help="the structure file to write (JSON)")
    parser.add_argument(
        "--example-json",
        metavar="FILE_OR_JSON",
        help='example inputs: {"args": [...], "kwargs": {...}} as JSON text or a file '
        '(random tensors by shape: {"randn": [2, 3, 224, 224]}, '
        '{"randint": [0, 100], "shape": [2, 8]}; see paramscope.export.example_spec)',
    )
    parser.add_argument("--name", help="the model's name in the file (default: its class name)")
    args = parser.parse_args(argv)
    if "" not in sys.path:
        sys.path.insert(0, "")  # the current directory, as `python -m` does
    try:
        inputs = load_example_spec(args.example_json) if args.example_json else None
        model = load_model(args.factory)
    except (ExampleSpecError, FactoryError) as error:
        parser.error(str(error))
    doc = export_structure(
        model,
        args.out,
        example_args=inputs.args if inputs else (),
        example_kwargs=inputs.kwargs if inputs else None,
        name=args.name,
    )
    tensors = sum(1 for m in doc["modules"] for p in m.get("params", []) if "sameAs" not in p)
    print(f"wrote {args.out}: {len(doc['modules'])} modules, {tensors} tensors, edges from {doc['export']['route']}")
    return 0
