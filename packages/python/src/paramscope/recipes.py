"""The document's section 6 recipes, verbatim in their logic, returning parameter names: the
groups each builds on a real PyTorch model (`*.recipes.json` fixtures check the TypeScript ports
against these)."""

from typing import Dict, List, Tuple

from torch import nn

Groups = Tuple[List[str], List[str]]  # (decay, no decay)


def recipe_name_heuristic(model: nn.Module) -> Groups:
    """6.1: names containing bn / batch_norm / norm, then bias, go without decay."""
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        if "bn" in name or "batch_norm" in name or "norm" in name:
            no_decay.append(name)
        elif "bias" in name:
            no_decay.append(name)
        else:
            decay.append(name)
    return decay, no_decay


def recipe_module_type(model: nn.Module) -> Groups:
    """6.2: parameters of the listed normalization classes, and biases, go without decay."""
    bn_types = (
        nn.BatchNorm1d,
        nn.BatchNorm2d,
        nn.BatchNorm3d,
        nn.LayerNorm,
        nn.GroupNorm,
        nn.InstanceNorm1d,
        nn.InstanceNorm2d,
        nn.InstanceNorm3d,
    )
    decay, no_decay = [], []
    for module_name, module in model.named_modules():
        for param_name, param in module.named_parameters(recurse=False):
            if not param.requires_grad:
                continue
            full = f"{module_name}.{param_name}" if module_name else param_name
            if isinstance(module, bn_types):
                no_decay.append(full)
            elif "bias" in param_name:
                no_decay.append(full)
            else:
                decay.append(full)
    return decay, no_decay


def recipe_lars(model: nn.Module) -> Groups:
    """6.3: the LARS exclusion by name; frozen parameters are not skipped."""

    def exclude(name):
        if "bn" in name or "norm" in name:
            return True
        return "bias" in name

    named = list(model.named_parameters())
    return [n for n, _ in named if not exclude(n)], [n for n, _ in named if exclude(n)]


def recipe_adamw(model: nn.Module) -> Groups:
    """6.4: the common AdamW list of substrings."""
    no_decay = ["bias", "bn", "norm", "BatchNorm", "LayerNorm", "GroupNorm"]
    named = list(model.named_parameters())
    return (
        [n for n, p in named if not any(nd in n for nd in no_decay) and p.requires_grad],
        [n for n, p in named if any(nd in n for nd in no_decay) and p.requires_grad],
    )


RECIPES = {
    "nameHeuristic": recipe_name_heuristic,
    "moduleType": recipe_module_type,
    "lars": recipe_lars,
    "adamw": recipe_adamw,
}


def recipe_groups(model: nn.Module) -> Dict[str, Dict[str, List[str]]]:
    """`{recipe: {"decay": [...], "noDecay": [...]}}`, the `*.recipes.json` format."""
    out = {}
    for key, recipe in RECIPES.items():
        decay, no_decay = recipe(model)
        out[key] = {"decay": decay, "noDecay": no_decay}
    return out
