"""Hugging Face models from tiny configs (random init, no downloads): their norms derive from
nn.Module only and must be found by the behaviour probe."""

import pytest
import torch
from grouping_models import tiny_llama
from helpers import module, probe
from paramscope import export_structure, validate_structure

transformers = pytest.importorskip("transformers")


def norm_paths(doc):
    return {m["path"] for m in doc["modules"] if m.get("normalization", {}).get("probe", {}).get("invariant") is True}


def test_t5_encoder_decoder_with_keyword_inputs():
    torch.manual_seed(0)
    config = transformers.T5Config(
        d_model=32, d_ff=64, d_kv=8, num_layers=2, num_decoder_layers=2, num_heads=4, vocab_size=100
    )
    model = transformers.T5ForConditionalGeneration(config)
    ids = torch.randint(0, 100, (2, 8))
    doc = export_structure(model, example_kwargs={"input_ids": ids, "decoder_input_ids": ids[:, :4]})
    expected = {m["path"] for m in doc["modules"] if m["kind"] == "T5LayerNorm"}
    assert len(expected) == 12 and norm_paths(doc) == expected
    assert doc["export"]["route"] == "hooks"
    assert doc["export"]["notes"][0].startswith("torch.fx could not trace T5ForConditionalGeneration: ")
    assert any(e["to"].endswith("layer_norm") for e in doc["edges"])
    assert validate_structure(doc) == []


def test_llama_rms_norms_and_nothing_else():
    model, input_ids = tiny_llama()
    doc = export_structure(model, example_kwargs={"input_ids": input_ids})
    assert norm_paths(doc) == {
        "model.layers.0.input_layernorm",
        "model.layers.0.post_attention_layernorm",
        "model.layers.1.input_layernorm",
        "model.layers.1.post_attention_layernorm",
        "model.norm",
    }
    norm = module(doc, "model.norm")
    assert "hierarchy" not in norm["normalization"] and norm["normalization"]["nameHint"] == "LlamaRMSNorm"
    assert norm["classPath"] == "transformers.models.llama.modeling_llama.LlamaRMSNorm"
    assert probe(doc, "model.norm")["maxRelChange"] < 1e-6
    assert probe(doc, "model.embed_tokens") == {"skipped": "its input has no floating-point tensor to scale"}
    assert probe(doc, "lm_head")["invariant"] is False


def test_llama_on_meta():
    config = transformers.LlamaConfig(
        hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4, vocab_size=100
    )
    with torch.device("meta"):
        model = transformers.LlamaForCausalLM(config)
    doc = export_structure(model, example_kwargs={"input_ids": torch.randint(0, 100, (1, 8))})
    assert all(p.is_meta for p in model.parameters())
    assert doc["export"]["device"] == "meta" and doc["export"]["route"] in ("hooks", "none")
    assert norm_paths(doc) == {m["path"] for m in doc["modules"] if m["kind"] == "LlamaRMSNorm"}
