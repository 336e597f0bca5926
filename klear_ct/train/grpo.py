"""GRPO with TRL's GRPOTrainer on a klearct export, rewarded by klearct (imports torch and trl:
call only after `klear_ct.train.extra.require()`).

Per logged step a line goes to OUTPUT/train_log.jsonl: klearct's numbers (mean reward, share
with usable code, verdict mix, visible vs held-out score, seconds in the reward and in the
model) beside TRL's own (loss, KL, completion lengths...). A checkpoint is written every
`save_steps` and at the last step; `resume` continues from the newest one."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from pathlib import Path

import torch
from transformers import AutoTokenizer, PrinterCallback, TrainerCallback
from transformers.trainer_utils import get_last_checkpoint
from trl import GRPOConfig, GRPOTrainer

from klear_ct.errors import UsageError
from klear_ct.train.data import Example
from klear_ct.train.metrics import append_log
from klear_ct.train.reward import TrainingReward
from klear_ct.train.settings import TrainSettings

OnStep = Callable[[dict, int], None]  # (the step's log record, total steps)


class StepLog(TrainerCallback):
    """Times each step, and on each log writes klearct's and TRL's numbers to the JSONL log."""

    def __init__(self, reward: TrainingReward, output_dir: Path, on_step: OnStep | None = None):
        self.reward, self.output_dir, self.on_step = reward, output_dir, on_step
        self._started = self._step_s = 0.0

    def on_step_begin(self, args, state, control, **kwargs):
        self._started = time.monotonic()

    def on_step_end(self, args, state, control, **kwargs):
        self._step_s = time.monotonic() - self._started
        if state.max_steps and state.global_step >= state.max_steps:
            control.should_save = True  # the last step always leaves a checkpoint to resume from

    def on_log(self, args, state, control, logs=None, **kwargs):
        logs = logs or {}
        if "train_runtime" in logs:  # the closing summary, not a step
            return
        numbers = self.reward.stats.drain()
        record = {"step": state.global_step, "epoch": state.epoch, "step_s": round(self._step_s, 3),
                  "model_s": round(max(0.0, self._step_s - numbers["reward_s"]), 3), **numbers,
                  "trl": {k: v for k, v in logs.items() if isinstance(v, int | float)}}
        append_log(self.output_dir, record)
        if self.on_step is not None:
            self.on_step(record, state.max_steps)


def accelerator_settings(settings: TrainSettings) -> dict:
    """bf16 when the GPU has it, TRL's colocated vLLM generation when vllm is installed (on a GPU)."""
    gpu = torch.cuda.is_available()
    bf16 = gpu and torch.cuda.is_bf16_supported()
    vllm = settings.use_vllm if settings.use_vllm is not None else gpu and importlib.util.find_spec("vllm") is not None
    if vllm and importlib.util.find_spec("vllm") is None:
        raise UsageError("--vllm needs vllm installed (pip install vllm)")
    out = {"bf16": bf16, "use_vllm": bool(vllm)}
    if bf16:
        out["model_init_kwargs"] = {"dtype": torch.bfloat16}
    if vllm:
        out["vllm_mode"] = "colocate"
    return out


def dataset_rows(examples: list[Example], tokenizer, max_prompt_length: int) -> tuple[list[dict], int]:
    """TRL rows (conversational when the tokenizer has a chat template) and how many prompts were too long."""
    chat = bool(getattr(tokenizer, "chat_template", None))
    rows, too_long = [], 0
    for ex in examples:
        prompt = ex.prompt if chat else ex.prompt_text + "\n"
        ids = (tokenizer.apply_chat_template(ex.prompt, add_generation_prompt=True, tokenize=True) if chat
               else tokenizer(prompt)["input_ids"])
        if hasattr(ids, "keys"):  # some tokenizers answer a BatchEncoding
            ids = ids["input_ids"]
        if len(ids) > max_prompt_length:
            too_long += 1
            continue
        rows.append({"prompt": prompt, "ground_truth": ex.ground_truth, "problem_id": ex.problem_id})
    return rows, too_long


def grpo_config(settings: TrainSettings) -> GRPOConfig:
    return GRPOConfig(
        output_dir=str(settings.output_dir), seed=settings.seed, data_seed=settings.seed,
        max_steps=settings.max_steps, num_train_epochs=settings.epochs, learning_rate=settings.learning_rate,
        per_device_train_batch_size=settings.batch_size * settings.generations,
        num_generations=settings.generations, max_completion_length=settings.max_completion_length,
        temperature=settings.temperature, beta=settings.beta,
        logging_steps=1, save_strategy="steps", save_steps=settings.save_steps, report_to=settings.report_to,
        disable_tqdm=True, log_completions=False, remove_unused_columns=False,
        **accelerator_settings(settings))


def train(settings: TrainSettings, examples: list[Example], reward: TrainingReward | None = None,
          on_step: OnStep | None = None, say: Callable[[str], None] = print) -> dict:
    """Train; returns a summary (steps, checkpoint, prompts used and left out)."""
    output_dir = Path(settings.output_dir)
    last = get_last_checkpoint(str(output_dir)) if output_dir.is_dir() else None
    if last and not settings.resume:
        raise UsageError(f"{output_dir} already holds {Path(last).name}: pass --resume to continue from it, "
                         "or choose another --output-dir")
    if settings.resume and not last:
        say(f"no checkpoint in {output_dir}: starting from {settings.model}")
    tokenizer = AutoTokenizer.from_pretrained(settings.model)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    rows, too_long = dataset_rows(examples, tokenizer, settings.max_prompt_length)
    if not rows:
        raise UsageError(f"every prompt is longer than --max-prompt-length {settings.max_prompt_length} tokens")
    if too_long:
        say(f"{too_long} of {len(examples)} prompts are longer than {settings.max_prompt_length} tokens: left out")
    from datasets import Dataset

    reward = reward or TrainingReward(settings.mode, settings.reward_url, output_dir)
    peft_config = None
    if settings.lora:
        from peft import LoraConfig

        peft_config = LoraConfig(r=settings.lora_rank, lora_alpha=2 * settings.lora_rank,
                                 target_modules="all-linear", task_type="CAUSAL_LM")
    trainer = GRPOTrainer(model=settings.model, reward_funcs=[reward], args=grpo_config(settings),
                          train_dataset=Dataset.from_list(rows), processing_class=tokenizer, peft_config=peft_config,
                          callbacks=[StepLog(reward, output_dir, on_step)])
    trainer.remove_callback(PrinterCallback)  # the log dicts go to train_log.jsonl and the progress display
    result = trainer.train(resume_from_checkpoint=last if settings.resume else None)
    return {"steps": trainer.state.global_step, "resumed_from": last if settings.resume else None,
            "checkpoint": get_last_checkpoint(str(output_dir)), "prompts": len(rows), "prompts_too_long": too_long,
            "train_loss": result.training_loss}
