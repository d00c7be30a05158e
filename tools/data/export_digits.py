"""Exports the 8x8 handwritten digits that scikit-learn ships (1,797 images, 10 classes) to
data/digits.json for the TypeScript notebooks: no download, the data set is inside the package.

A fixed stratified split (seeded) keeps train and test sets the same on every machine.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

SEED = 0
TEST_FRACTION = 0.25


def main(out: Path) -> None:
    digits = load_digits()
    images = (digits.images / 16.0).astype("float32")  # pixel values 0..16 → 0..1
    x_train, x_test, y_train, y_test = train_test_split(
        images, digits.target, test_size=TEST_FRACTION, random_state=SEED, stratify=digits.target
    )
    payload = {
        "description": "scikit-learn load_digits: 8x8 grey images in [0, 1], labels 0-9",
        "shape": [8, 8],
        "classes": 10,
        "split": {"seed": SEED, "testFraction": TEST_FRACTION},
        "train": {"images": [round(float(v), 4) for v in x_train.ravel()], "labels": y_train.tolist()},
        "test": {"images": [round(float(v), 4) for v in x_test.ravel()], "labels": y_test.tolist()},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, separators=(",", ":")))
    tmp.replace(out)  # never leave a half-written file behind
    print(f"wrote {out}: {len(y_train)} train and {len(y_test)} test images")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "data" / "digits.json")
