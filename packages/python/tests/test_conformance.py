"""The conformance suite: the Python grouping and verification against the vectors that the
TypeScript implementation wrote (test/conformance/vectors, from tools/conformance/generate.mjs).
Every group, label, decay, reason, skipped parameter, warning, finding and verdict must be equal;
a difference names the first place where they part. Every finding also has the shape of the
protocol's JSON Schema (`$defs/finding` of packages/protocol/schema/snapshot.schema.json), which
is how the inspector publishes them."""

import json
from pathlib import Path
from typing import Any, Dict, List

import jsonschema
import pytest
from paramscope.grouping import build_groups
from paramscope.model import param_model_from_structure
from paramscope.rules import detectron2_rules, no_weight_decay_rule, paramwise_cfg_rules
from paramscope.verify import check_groups

VECTORS = Path(__file__).resolve().parents[3] / "test" / "conformance" / "vectors"
SNAPSHOT_SCHEMA = Path(__file__).resolve().parents[2] / "protocol" / "schema" / "snapshot.schema.json"
REGENERATE = "npx tsc -b packages/params && node tools/conformance/generate.mjs"

# The TypeScript spelling of option, rule and report keys, and the Python one.
SNAKE = {
    "weightDecay": "weight_decay",
    "excludeScaleInvariant": "exclude_scale_invariant",
    "nameContains": "name_contains",
    "localName": "local_name",
    "moduleKind": "module_kind",
    "feedsNormalization": "feeds_normalization",
    "weightDecayMultiplier": "weight_decay_multiplier",
    "lrMultiplier": "lr_multiplier",
    "defaultWeightDecay": "default_weight_decay",
    "weightDecayNorm": "weight_decay_norm",
    "biasLrFactor": "bias_lr_factor",
    "weightDecayBias": "weight_decay_bias",
    "tensorCount": "tensor_count",
    "elementCount": "element_count",
    "trainableCount": "trainable_count",
}
CAMEL = {snake: camel for camel, snake in SNAKE.items()}
# Error texts that name a TypeScript option, in Python's words (the rest of the message is equal).
PYTHON_WORDING = {"lrMultiplier needs options.lr": "lr_multiplier needs lr"}


def _rule_to_python(rule: Dict[str, Any]) -> Dict[str, Any]:
    return {SNAKE.get(key, key): value for key, value in rule.items()}


def _options_to_python(options: Dict[str, Any]) -> Dict[str, Any]:
    out = {SNAKE.get(key, key): value for key, value in options.items()}
    if "rules" in out:
        out["rules"] = [_rule_to_python(rule) for rule in out["rules"]]
    return out


def _translated(translator: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The rules the Python translator makes from the same input as the TypeScript one."""
    if "detectron2" in translator:
        return detectron2_rules(**{SNAKE.get(k, k): v for k, v in translator["detectron2"].items()})
    if "paramwiseCfg" in translator:
        return paramwise_cfg_rules(translator["paramwiseCfg"])
    return [no_weight_decay_rule(translator["noWeightDecay"])]


def _plain_grouping(result) -> Dict[str, Any]:
    """The Python grouping in the vectors' shape."""
    reserved = {"params", "weight_decay", "lr", "label", "reasons"}
    groups = []
    for group in result.groups:
        plain = {"label": group.get("label"), "weightDecay": group["weight_decay"]}
        if "lr" in group:
            plain["lr"] = group["lr"]
        plain["hyperparameters"] = {k: v for k, v in group.items() if k not in reserved}
        plain["params"] = [p.name for p in group["params"]]
        plain["reasons"] = group["reasons"]
        groups.append(plain)
    return {
        "groups": groups,
        "skipped": [{"param": p.name, "reason": r} for p, r in result.skipped],
        "warnings": result.warnings,
    }


def _camel_report(report: Dict[str, Any]) -> Dict[str, Any]:
    def camel(d: Dict[str, Any]) -> Dict[str, Any]:
        return {CAMEL.get(k, k): v for k, v in d.items()}

    return {**report, "groups": [camel(g) for g in report["groups"]], "model": camel(report["model"])}


def _first_difference(expected: Any, actual: Any, where: str = "$") -> str:
    """Where two JSON values first differ, with both values; '' when equal."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in list(expected) + [k for k in actual if k not in expected]:
            if key not in actual or key not in expected:
                return (
                    f"{where}.{key}: expected {json.dumps(expected.get(key, '<absent>'))[:300]}, "
                    f"Python gave {json.dumps(actual.get(key, '<absent>'))[:300]}"
                )
            found = _first_difference(expected[key], actual[key], f"{where}.{key}")
            if found:
                return found
        return ""
    if isinstance(expected, list) and isinstance(actual, list):
        for i, (e, a) in enumerate(zip(expected, actual)):
            found = _first_difference(e, a, f"{where}[{i}]")
            if found:
                return found
        if len(expected) != len(actual):
            return (
                f"{where}: expected {len(expected)} items, Python gave {len(actual)}: "
                f"{json.dumps(actual[len(expected) :] or expected[len(actual) :])[:400]}"
            )
        return ""
    same = expected == actual and isinstance(expected, bool) == isinstance(actual, bool)
    return "" if same else f"{where}: expected {json.dumps(expected)}, Python gave {json.dumps(actual)}"


def _findings_validator() -> jsonschema.Draft202012Validator:
    """Validates a list of findings against the protocol's `finding` definition."""
    schema = json.loads(SNAPSHOT_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(
        {"$defs": schema["$defs"], "type": "array", "items": {"$ref": "#/$defs/finding"}}
    )


FINDINGS = _findings_validator()


def _vector_files() -> List[Path]:
    return sorted(VECTORS.glob("*.json"))


def test_vectors_exist():
    assert len(_vector_files()) >= 30, f"no conformance vectors in {VECTORS}; run: {REGENERATE}"


@pytest.mark.parametrize("path", _vector_files(), ids=lambda p: p.stem)
def test_conformance(path: Path):
    vector = json.loads(path.read_text(encoding="utf-8"))
    model = param_model_from_structure(vector["structure"])
    groupings = []
    for index, run in enumerate(vector["grouping"]):
        where = f"{path.name}: grouping[{index}] with options {json.dumps(run['options'])[:300]}"
        options = _options_to_python(run["options"])
        if "translator" in run:
            # A translator's rules end the run's rule list.
            translated = _translated(run["translator"])
            difference = _first_difference(options["rules"][-len(translated) :], translated)
            assert not difference, f"{where}: the translator differs: {difference}"
        expected = run["expected"]
        if "error" in expected:
            message = expected["error"]
            for ts_words, py_words in PYTHON_WORDING.items():
                message = message.replace(ts_words, py_words)
            with pytest.raises(ValueError) as raised:
                build_groups(model, **options)
            assert str(raised.value) == message, where
            groupings.append(None)
            continue
        actual = _plain_grouping(build_groups(model, **options))
        groupings.append(actual)
        difference = _first_difference(expected, actual)
        assert not difference, f"{where}: {difference}"
    for index, run in enumerate(vector["verification"]):
        where = f"{path.name}: verification[{index}] ({run['source']})"
        if "groupsFrom" in run:
            source_groups = groupings[run["groupsFrom"]]["groups"]
            groups = [
                {
                    "params": g["params"],
                    "weight_decay": g["weightDecay"],
                    "label": g["label"],
                    **({"lr": g["lr"]} if "lr" in g else {}),
                }
                for g in source_groups
            ]
        else:
            groups = [{SNAKE.get(k, k): v for k, v in g.items()} for g in run["groups"]]
        options = {SNAKE.get(k, k): v for k, v in (run.get("options") or {}).items()}
        actual = _camel_report(check_groups(model, groups, **options))
        difference = _first_difference(run["expected"], actual)
        assert not difference, f"{where}: {difference}"
        problems = [f"{list(e.absolute_path)}: {e.message}" for e in FINDINGS.iter_errors(actual["findings"])]
        assert not problems, f"{where}: findings outside the protocol's schema: {problems[:5]}"
