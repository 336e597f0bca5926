"""The options of one training run, shared by the TRL trainer and the verl recipe."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from klear_ct.errors import UsageError
from klear_ct.rl.scorer import MODES


@dataclass(frozen=True)
class TrainSettings:
    model: str  # a local folder (or a hub name where a hub is reachable)
    output_dir: Path
    max_steps: int = -1  # > 0 wins over epochs
    epochs: float = 1.0
    batch_size: int = 4  # prompts per optimizer step (TRL: on each process; verl: in all)
    generations: int = 4  # completions per prompt (the GRPO group)
    max_prompt_length: int = 1024  # longer prompts are left out, as verl's filter_overlong_prompts does
    max_completion_length: int = 1024
    learning_rate: float = 1e-6
    lora: bool = False
    lora_rank: int = 16
    mode: str = "binary"
    seed: int = 0
    resume: bool = False
    reward_url: str | None = None
    save_steps: int = 50
    temperature: float = 1.0
    beta: float = 0.0  # KL coefficient (TRL's default: no reference model)
    report_to: str = "none"
    use_vllm: bool | None = None  # None: when vllm is installed and a GPU is there

    def __post_init__(self):
        if self.mode not in MODES:
            raise UsageError(f"--mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        for name in ("batch_size", "max_prompt_length", "max_completion_length", "save_steps", "lora_rank"):
            if getattr(self, name) < 1:
                raise UsageError(f"--{name.replace('_', '-')} must be at least 1")
        if self.generations < 2:
            raise UsageError("--generations must be at least 2 (GRPO compares completions of one prompt)")
        if self.max_steps <= 0 and self.epochs <= 0:
            raise UsageError("give --max-steps or a positive --epochs")
        if self.learning_rate <= 0:
            raise UsageError("--learning-rate must be positive")
