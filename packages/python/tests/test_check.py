"""paramscope.check (a guard for a training script's groups) and `python -m paramscope check`."""

import subprocess
import sys
import textwrap

import paramscope
import pytest
import torch
from grouping_models import tiny_resnet
from paramscope import ParamGroupsError, check, group_params
from paramscope.check import main as cli_main
from torch import nn


def test_check_passes_the_structural_default_and_returns_the_report():
    model = tiny_resnet()
    optimizer = torch.optim.SGD(group_params(model, weight_decay=1e-4), lr=0.1, momentum=0.9)
    report = check(optimizer, model)
    assert report["ok"] and report["findings"] == []


def test_check_raises_an_assertion_listing_every_error_and_warning():
    model = tiny_resnet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=1e-4)  # everything decays
    with pytest.raises(ParamGroupsError) as raised:
        check(optimizer, model)
    error = raised.value
    assert isinstance(error, AssertionError)
    message = str(error)
    assert message.startswith('parameter groups of model "TinyResNet" failed verification (8 errors, 1 warning):')
    assert (
        "  error norm-param-decayed: layer1.downsample.1.weight (BatchNorm2d weight) has weight decay 0.0001" in message
    )
    assert "  warning bias-decayed: fc.bias (bias of Linear) has weight decay 0.0001 in group 0" in message
    assert error.report["verdict"] == "errors"


def test_check_fails_on_warnings_alone():
    model = nn.Sequential(nn.Linear(4, 4))
    with pytest.raises(ParamGroupsError, match=r"\(1 warning\):\n  warning bias-decayed: 0.bias"):
        check(torch.optim.AdamW(model.parameters()), model)


def test_check_with_example_inputs_finds_a_custom_norm():
    from custom_modules import PlainRMSNorm

    model = nn.Sequential(nn.Linear(8, 8, bias=False), PlainRMSNorm(8))
    optimizer = torch.optim.AdamW(model.parameters(), weight_decay=0.1)
    with pytest.raises(ParamGroupsError, match="warning unknown-kind-1d-decayed"):
        check(optimizer, model)
    with pytest.raises(ParamGroupsError, match="error norm-param-decayed: 1.weight .*output unchanged"):
        check(optimizer, model, example_args=(torch.randn(4, 8),))


FACTORIES = textwrap.dedent("""
    import torch
    from torch import nn
    import paramscope

    def model():
        torch.manual_seed(0)
        return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Linear(8, 2))

    def good():
        m = model()
        return m, torch.optim.SGD(paramscope.group_params(m), lr=0.1)

    def bad():
        m = model()
        optimizer = torch.optim.SGD(m.parameters(), lr=0.1, weight_decay=1e-4)
        optimizer.model = m
        return optimizer

    def neither():
        return 3
""")


def run_cli(tmp_path, *args):
    """`python -m paramscope check ...` in a subprocess, in a directory holding train_setup.py."""
    (tmp_path / "train_setup.py").write_text(FACTORIES)
    return subprocess.run(
        [sys.executable, "-m", "paramscope", "check", *args], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def train_setup(tmp_path, monkeypatch):
    """train_setup.py importable in this process, for the quicker in-process CLI tests."""
    (tmp_path / "train_setup.py").write_text(FACTORIES)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "train_setup", raising=False)


def test_cli_exit_status_and_findings(tmp_path):
    ok = run_cli(tmp_path, "train_setup:good")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == 'ok: 2 groups, 6 tensors of model "Sequential"'
    bad = run_cli(tmp_path, "train_setup:bad")
    assert bad.returncode == 1
    assert "error norm-param-decayed: 1.weight (BatchNorm1d weight) has weight decay 0.0001 in group 0" in bad.stdout


def test_cli_json_report(train_setup, capsys):
    assert cli_main(["train_setup:bad", "--json"]) == 1
    assert '"verdict": "errors"' in capsys.readouterr().out


@pytest.mark.parametrize(
    "reference, message",
    [
        (
            "train_setup:neither",
            "train_setup:neither gave a int; expected (model, optimizer) or an optimizer with a model attribute",
        ),
        ("train_setup:missing", "'train_setup' has no attribute 'missing'"),
        ("no_such_module:f", "cannot import module 'no_such_module'"),
        ("train_setup", "expected package.module:factory, got 'train_setup'"),
    ],
)
def test_cli_bad_factory(train_setup, capsys, reference, message):
    with pytest.raises(SystemExit) as exited:
        cli_main([reference])
    assert exited.value.code == 2 and message in capsys.readouterr().err


def test_python_m_paramscope_without_a_command(tmp_path):
    result = subprocess.run([sys.executable, "-m", "paramscope"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "usage: python -m paramscope check" in result.stderr


def test_public_names():
    assert {"check", "group_params", "verify_param_groups", "ParamGroupsError"} <= set(paramscope.__all__)
