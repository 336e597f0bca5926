"""The sandbox the configuration describes: what every command, the reward server and each Ray
node open (klearct.toml / KLEARCT_SANDBOX_*, arguments winning)."""

from __future__ import annotations

from pathlib import Path

from klear_ct.config import Config, load_config
from klear_ct.sandbox import Sandbox, open_sandbox


def open_configured_sandbox(config_path: Path | None = None, backend: str | None = None,
                            slots: int | None = None, warn=None, config: Config | None = None) -> Sandbox:
    """A sandbox from `config` (default: klearct.toml / KLEARCT_SANDBOX_* read here), with the
    configured time factors; installs no signal handler. UsageError for a bad configuration."""
    from klear_ct.sandbox.docker_backend import DockerSettings
    from klear_ct.sandbox.timing import TimeFactors

    loaded = config or load_config(config_path)
    factors = TimeFactors.with_overrides(loaded.limits.time_factor)
    sandbox = loaded.sandbox
    settings = DockerSettings(jobs_per_container=sandbox.jobs_per_container,
                              container_memory_mb=sandbox.container_memory_mb, runtime=sandbox.runtime)
    return open_sandbox(backend or sandbox.backend, slots=slots or sandbox.slots, settings=settings,
                        time_factors=factors, warn=warn)
