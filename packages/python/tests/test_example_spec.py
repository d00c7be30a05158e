"""The JSON description of example inputs."""

import pytest
import torch
from paramscope.export.example_spec import ExampleSpecError, build_example_inputs


def test_every_form():
    inputs = build_example_inputs(
        {
            "args": [[2, 3], {"tensor": [[1, 2], [3, 4]]}, [0.5, 1.5], 7, None],
            "kwargs": {
                "ids": {"randint": [0, 10], "shape": [2, 4]},
                "mask": {"ones": [2, 4], "dtype": "int64"},
                "half": {"randn": [3], "dtype": "float16"},
                "batch": {"x": {"zeros": [1]}},
            },
        }
    )
    shape, literal, floats, number, none = inputs.args
    assert shape.shape == (2, 3) and shape.dtype == torch.float32
    assert literal.tolist() == [[1, 2], [3, 4]] and literal.dtype == torch.int64
    assert floats.dtype == torch.float32 and (number, none) == (7, None)
    assert inputs.kwargs["ids"].dtype == torch.int64 and int(inputs.kwargs["ids"].max()) < 10
    assert inputs.kwargs["mask"].dtype == torch.int64 and inputs.kwargs["half"].dtype == torch.float16
    assert torch.equal(inputs.kwargs["batch"]["x"], torch.zeros(1))


def test_random_tensors_are_reproducible():
    spec = {"args": [{"randn": [4]}]}
    assert torch.equal(build_example_inputs(spec).args[0], build_example_inputs(spec).args[0])


@pytest.mark.parametrize(
    "spec, message",
    [
        ([1], "$: expected an object"),
        ({"inputs": []}, "$: unknown key 'inputs'"),
        ({"args": {}}, "$.args: expected a list"),
        (
            {"args": [{"randn": [2, -1]}]},
            "$.args[0].randn: expected a shape (a list of non-negative integers), got [2, -1]",
        ),
        ({"args": [{"randint": [0, 5]}]}, "$.args[0]: a 'randint' tensor needs \"shape\""),
        ({"args": [{"zeros": [2], "size": 3}]}, "$.args[0].size: unknown key for a 'zeros' tensor"),
        ({"args": [{"randn": [2], "ones": [2]}]}, "$.args[0]: one of randn, randint, zeros, ones, tensor at a time"),
        ({"kwargs": {"x": {"tensor": [[1, 2], [3]]}}}, "$.kwargs.x.tensor: not a tensor literal"),
    ],
)
def test_mistakes_name_their_json_path(spec, message):
    with pytest.raises(ExampleSpecError) as error:
        build_example_inputs(spec)
    assert message in str(error.value)
