"""The `text/plain` fallback of a snapshot, so a saved notebook stays readable where the paramscope
extension is not installed (the same lines as the TypeScript side's `snapshotText`)."""

from typing import Iterable, List, Optional


def _value(value) -> str:
    if isinstance(value, list):
        return "(" + ", ".join(str(v) for v in value) + ")"
    return "None" if value is None else str(value)


def _entry_lines(entry: dict) -> List[str]:
    head = " · ".join(
        str(p)
        for p in (entry["label"], entry.get("optimizer"), f"step {entry['step']}" if "step" in entry else None)
        if p
    )
    model = entry["model"]
    lines = [f"{head} — {model['name']}: {model['tensorCount']} tensors, {model['elementCount']} values"]
    if not entry["findings"]:
        lines.append("  no findings")
    for found in entry["findings"]:
        lines.append(f"  {found['severity'].upper()} [{found['code']}] {found['message']}")
    for group in entry["groups"]:
        hyper = ", ".join(f"{k}={_value(v)}" for k, v in group["hyperparameters"].items())
        label = f" ({group['label']})" if group.get("label") else ""
        lines.append(
            f"  group {group['index']}{label}: {group['tensorCount']} tensors, {group['elementCount']} values; {hyper}"
        )
    return lines


def snapshot_text(snapshot: dict, focus: Optional[Iterable[str]] = None) -> str:
    """A few lines per entry: title, findings, one line per group."""
    wanted = set(focus) if focus is not None else None
    entries = [e for e in snapshot["entries"] if wanted is None or e["id"] in wanted]
    lines = [
        f"paramscope snapshot #{snapshot['sequence']}"
        + (f" ({snapshot['backend']})" if snapshot.get("backend") else "")
    ]
    if not entries:
        lines.append("  nothing registered: call paramscope.inspect(optimizer) or paramscope.watch(optimizer)")
    for entry in entries:
        lines += _entry_lines(entry)
    return "\n".join(lines)
