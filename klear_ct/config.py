"""Settings: klearct.toml (or --config), then KLEARCT_* / OPENAI_* environment variables, then CLI options."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from klear_ct.errors import UsageError


class ConfigError(UsageError):
    pass


class SandboxConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    backend: str = "docker"  # docker | local | auto (docker, else local with a warning)
    slots: int | None = None  # default: CPU count
    jobs_per_container: int = 200
    container_memory_mb: int = 3072
    runtime: str | None = None  # e.g. "runsc"


class LimitsConfig(BaseModel):
    """How a problem's time limit becomes a run's (klear_ct/sandbox/timing.py)."""

    model_config = ConfigDict(extra="forbid")

    time_factor: dict[str, float] = Field(default_factory=dict)  # language -> factor, over the language table's
    calibrate: bool = False  # measure a machine factor at sandbox start (KLEARCT_CALIBRATE)
    reference_cpu_ms: float | None = Field(default=None, gt=0)  # the reference program on the limits' judge


class LLMConfig(BaseModel):
    """Any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, SGLang, Ollama)."""

    model_config = ConfigDict(extra="forbid")

    base_url: str | None = None  # OPENAI_BASE_URL; None: the SDK's default
    api_key_env: str = "OPENAI_API_KEY"  # the variable holding the key (never the key itself)
    model: str = "gpt-4o-mini"  # KLEARCT_LLM_MODEL
    temperature: float = 0.7
    max_tokens: int = 4096
    n: int = 1  # samples per request (servers without `n` support want 1)
    timeout_s: float = 120.0  # one HTTP request
    max_retries: int = 5  # retries of one request on timeouts, 429, 5xx, connection errors, malformed replies
    retry_budget_s: float = 600.0  # all tries of one request together, waiting included
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 60.0
    concurrency: int = 4  # requests in flight at once
    cache_dir: Path | None = None  # the response cache; default RUN/llm/cache (share one across nightly runs)
    price_prompt_per_1m: float | None = None  # USD per 1M prompt tokens, for the cost in `klearct report`
    price_completion_per_1m: float | None = None
    # a spend cap per run directory (all its commands together): when reached, the problems left
    # are pending, and a later run with a higher cap continues them from the cache
    max_tokens_per_run: int | None = None  # prompt + completion tokens
    max_cost_usd_per_run: float | None = None  # needs the prices above
    # the same for one command alone (a nightly job on one growing run: the budget per night)
    max_tokens_per_command: int | None = None
    max_cost_usd_per_command: float | None = None

    def api_key(self) -> str:
        # local servers (vLLM, Ollama) accept any key; the SDK insists on one
        return os.environ.get(self.api_key_env) or "EMPTY"


class GenerateConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    counts: dict[str, int] = Field(default_factory=lambda: {"regular": 2, "corner": 1, "hack": 1})
    max_rounds: int = 3  # repair rounds per program after its first draft
    kill_rounds: int = 2  # kill_incorrect rounds per surviving incorrect solution
    checker: Literal["auto", "never", "always"] = "auto"  # auto: ask the LLM whether one is needed
    validator: bool = True  # write an input validator program
    max_dropped_fraction: float = 0.0  # share of a generator's inputs that may be dropped and it still passes
    lang: str = "python3"  # language asked for generators, validators and checkers
    prompts_dir: Path | None = None  # default: the project's prompts/


class ExecutorConfig(BaseModel):
    """Where a stage's per-problem work runs (klear_ct/executor/)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["local", "ray"] = "local"  # --executor
    ray_address: str = "auto"  # --ray-address: a Ray cluster's head (host:port), or auto (RAY_ADDRESS, this machine's)
    ray_tries: int = Field(default=2, ge=1)  # tries of a problem whose node is lost before it is recorded failed


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sandbox: SandboxConfig = SandboxConfig()
    limits: LimitsConfig = LimitsConfig()
    llm: LLMConfig = LLMConfig()
    generate: GenerateConfig = GenerateConfig()
    executor: ExecutorConfig = ExecutorConfig()


ENV_KEYS = {"KLEARCT_SANDBOX_BACKEND": ("sandbox", "backend"), "KLEARCT_SANDBOX_SLOTS": ("sandbox", "slots"),
            "KLEARCT_SANDBOX_RUNTIME": ("sandbox", "runtime"), "KLEARCT_CALIBRATE": ("limits", "calibrate"),
            "OPENAI_BASE_URL": ("llm", "base_url"),
            "KLEARCT_LLM_MODEL": ("llm", "model")}


def load_config(path: Path | None = None) -> Config:
    data: dict = {}
    path = path or (Path("klearct.toml") if Path("klearct.toml").exists() else None)
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text())
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise ConfigError(f"{path}: {e}") from None
    for env, (section, key) in ENV_KEYS.items():
        if os.environ.get(env):
            data.setdefault(section, {})[key] = os.environ[env]
    try:
        return Config.model_validate(data)
    except ValidationError as e:
        raise ConfigError(f"{path or 'environment'}: {e}") from None
