"""Lookups into structure documents."""


def module(doc, path):
    matches = [m for m in doc["modules"] if m["path"] == path]
    assert matches, f"no module {path!r} in the document"
    return matches[0]


def probe(doc, path):
    return module(doc, path)["normalization"]["probe"]


def param(doc, full_name):
    path, _, name = full_name.rpartition(".")
    return next(p for p in module(doc, path).get("params", []) if p["name"] == name)
