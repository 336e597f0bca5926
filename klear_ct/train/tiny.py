"""A tiny causal LM built offline for smoke tests and a first try of `klearct train`: a
byte-level BPE tokenizer trained with `tokenizers` on the export's prompts (plus the code
fences a policy writes), with a chat template, and a randomly initialised Qwen2 of a few layers.
Nothing is downloaded. It learns nothing useful; it exercises the whole training path."""

from __future__ import annotations

from pathlib import Path

SPECIAL = {"pad": "<|pad|>", "eos": "<|endoftext|>", "user": "<|user|>", "assistant": "<|assistant|>"}
CHAT_TEMPLATE = ("{% for m in messages %}{{ '<|' + m['role'] + '|>' }}{{ m['content'] }}{{ '<|endoftext|>' }}"
                 "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}")
CODE_HINTS = ["```python\nimport sys\nprint(sum(map(int, sys.stdin.read().split())))\n```\n",
              "```cpp\n#include <bits/stdc++.h>\nint main(){long long a,b;std::cin>>a>>b;std::cout<<a+b;}\n```\n"]


def make_tiny_model(out: Path, texts: list[str], vocab_size: int = 512, hidden_size: int = 64, layers: int = 2,
                    max_positions: int = 4096, seed: int = 0) -> Path:
    """Write a tokenizer and a randomly initialised model to `out` (from_pretrained reads it)."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    out = Path(out)
    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=list(SPECIAL.values()),
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    core.train_from_iterator(list(texts) + CODE_HINTS, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, pad_token=SPECIAL["pad"], eos_token=SPECIAL["eos"],
                                        additional_special_tokens=[SPECIAL["user"], SPECIAL["assistant"]],
                                        model_max_length=max_positions)
    tokenizer.chat_template = CHAT_TEMPLATE
    torch.manual_seed(seed)
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=hidden_size, intermediate_size=2 * hidden_size,
                         num_hidden_layers=layers, num_attention_heads=4, num_key_value_heads=2,
                         max_position_embeddings=max_positions, tie_word_embeddings=True,
                         pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
                         bos_token_id=tokenizer.eos_token_id)
    model = Qwen2ForCausalLM(config)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out
