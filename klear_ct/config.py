"""Settings: klearct.toml (or --config), then KLEARCT_* environment variables, then CLI options."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError


class ConfigError(ValueError):
    pass


class SandboxConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    backend: str = "docker"  # docker | local | auto (docker, else local with a warning)
    slots: int | None = None  # default: CPU count
    jobs_per_container: int = 200
    container_memory_mb: int = 3072
    runtime: str | None = None  # e.g. "runsc"


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sandbox: SandboxConfig = SandboxConfig()


ENV_KEYS = {"KLEARCT_SANDBOX_BACKEND": ("sandbox", "backend"), "KLEARCT_SANDBOX_SLOTS": ("sandbox", "slots"),
            "KLEARCT_SANDBOX_RUNTIME": ("sandbox", "runtime")}


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
