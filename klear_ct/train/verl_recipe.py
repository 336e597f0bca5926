"""`klearct train --backend verl`: the same run as verl's GRPO (`python -m verl.trainer.main_ppo`),
keys of verl 0.9.x's ppo_trainer config. The data and reward overrides come from
`klearct rl verl-args` (passed in); this adds the trainer's."""

from __future__ import annotations

import shlex
import sys

from klear_ct.train.settings import TrainSettings

ENTRY = "verl.trainer.main_ppo"


def trainer_overrides(settings: TrainSettings, gpus: int = 1, nodes: int = 1) -> list[str]:
    micro = max(1, settings.batch_size * settings.generations // max(1, gpus * nodes))
    out = [
        "algorithm.adv_estimator=grpo",
        f"data.train_batch_size={settings.batch_size}",
        f"data.max_prompt_length={settings.max_prompt_length}",
        f"data.max_response_length={settings.max_completion_length}",
        "data.filter_overlong_prompts=True",
        "data.truncation=error",
        f"data.seed={settings.seed}",
        f"actor_rollout_ref.model.path={settings.model}",
        f"actor_rollout_ref.actor.optim.lr={settings.learning_rate:g}",
        f"actor_rollout_ref.actor.ppo_mini_batch_size={settings.batch_size}",
        f"actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu={micro}",
        f"actor_rollout_ref.actor.use_kl_loss={settings.beta > 0}",
        f"actor_rollout_ref.actor.kl_loss_coef={settings.beta:g}",
        "actor_rollout_ref.rollout.name=vllm",
        f"actor_rollout_ref.rollout.n={settings.generations}",
        f"actor_rollout_ref.rollout.temperature={settings.temperature:g}",
        "actor_rollout_ref.rollout.tensor_model_parallel_size=1",
        f"actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu={micro}",
        f"actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu={micro}",
        f"trainer.n_gpus_per_node={gpus}",
        f"trainer.nnodes={nodes}",
        f"trainer.default_local_dir={settings.output_dir}",
        f"trainer.save_freq={settings.save_steps}",
        f"trainer.resume_mode={'auto' if settings.resume else 'disable'}",
        f"trainer.total_epochs={max(1, round(settings.epochs))}",
        "trainer.logger=[console]",
        "trainer.project_name=klearct",
        f"trainer.experiment_name={settings.output_dir.name or 'train'}",
    ]
    if settings.max_steps > 0:
        out.append(f"trainer.total_training_steps={settings.max_steps}")
    if settings.lora:
        out += [f"actor_rollout_ref.model.lora_rank={settings.lora_rank}",
                f"actor_rollout_ref.model.lora_alpha={2 * settings.lora_rank}"]
    return out


def verl_command(data_overrides: list[str], settings: TrainSettings, gpus: int = 1, nodes: int = 1,
                 python: str = sys.executable) -> list[str]:
    return [python, "-m", ENTRY, *data_overrides, *trainer_overrides(settings, gpus, nodes)]


def shell_line(command: list[str]) -> str:
    return shlex.join(command)
