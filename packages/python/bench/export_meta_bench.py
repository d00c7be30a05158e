"""Exports a Llama-2-7B-shaped model built on torch's meta device and prints the seconds and the
peak memory (RSS) it took. Target: under 10 s and under 1 GB. A benchmark, not a timed test.

    python packages/python/bench/export_meta_bench.py [--out llama7b.json] [--no-inputs]

Needs `transformers`. Nothing is downloaded: the model comes from a LlamaConfig.
"""

import argparse
import resource
import sys
import time

import torch
import transformers
from paramscope import export_structure


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="also write the structure file here")
    parser.add_argument(
        "--no-inputs", action="store_true", help="no example input_ids (edges only if torch.fx can trace the model)"
    )
    args = parser.parse_args()
    config = transformers.LlamaConfig(
        hidden_size=4096,
        num_hidden_layers=32,
        num_attention_heads=32,
        num_key_value_heads=32,
        intermediate_size=11008,
        vocab_size=32000,
    )
    rss_at_start = peak_rss_mib()
    started = time.perf_counter()
    with torch.device("meta"):
        model = transformers.LlamaForCausalLM(config)
    built = time.perf_counter()
    kwargs = None if args.no_inputs else {"input_ids": torch.randint(0, 32000, (1, 16))}
    doc = export_structure(model, args.out, example_kwargs=kwargs, name="llama-2-7b-shaped")
    exported = time.perf_counter()
    parameters = sum(p.numel() for p in model.parameters())
    assert all(p.is_meta for p in model.parameters()), "the export materialised weights"
    print(
        f"model: {parameters / 1e9:.2f} B parameters on meta, {len(doc['modules'])} modules, "
        f"edges from {doc['export']['route']}",
        file=sys.stderr,
    )
    print(f"build on meta: {built - started:.2f} s")
    print(f"export:        {exported - built:.2f} s  (target < 10 s)")
    print(f"peak RSS:      {peak_rss_mib():.0f} MiB (after imports: {rss_at_start:.0f} MiB; target < 1024 MiB)")


if __name__ == "__main__":
    main()
