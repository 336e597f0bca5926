"""Spend caps, checked before each request the cache cannot answer: tokens and/or USD over every
answered request of the run directory (`*_per_run`, earlier commands included), and over those of
this command alone (`*_per_command`: a nightly job's budget per night on one growing run).

Once a cap is reached, no request is sent (`BudgetReached`), and what was spent stays in
llm/usage.jsonl.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from klear_ct.config import ConfigError, LLMConfig


@dataclass
class Spent:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def cost_usd(self, config: LLMConfig) -> float:
        return (self.prompt_tokens * (config.price_prompt_per_1m or 0.0)
                + self.completion_tokens * (config.price_completion_per_1m or 0.0)) / 1e6


class Budget:
    def __init__(self, config: LLMConfig, spent: Iterable[dict] = ()):
        """`spent`: the usage lines the run already has (its earlier commands count toward the
        run's cap, not toward this command's)."""
        self.config = config
        self.caps = {"run": (config.max_tokens_per_run, config.max_cost_usd_per_run),
                     "command": (config.max_tokens_per_command, config.max_cost_usd_per_command)}
        for scope, (_, max_cost) in self.caps.items():
            if max_cost is not None and config.price_prompt_per_1m is None \
                    and config.price_completion_per_1m is None:
                raise ConfigError(f"[llm] max_cost_usd_per_{scope} needs price_prompt_per_1m / "
                                  "price_completion_per_1m")
        self.run, self.command = Spent(), Spent()
        self._lock = threading.Lock()
        for line in spent:
            self.run.prompt_tokens += int(line.get("prompt_tokens") or 0)
            self.run.completion_tokens += int(line.get("completion_tokens") or 0)

    @property
    def capped(self) -> bool:
        return any(cap is not None for caps in self.caps.values() for cap in caps)

    def add(self, prompt_tokens: int, completion_tokens: int) -> None:
        with self._lock:
            for spent in (self.run, self.command):
                spent.prompt_tokens += prompt_tokens
                spent.completion_tokens += completion_tokens

    def reached(self) -> str | None:
        """Why no further request may be sent, or None."""
        for scope, spent in (("run", self.run), ("command", self.command)):
            max_tokens, max_cost = self.caps[scope]
            who = "the run has" if scope == "run" else "this command has"
            if max_tokens is not None and spent.tokens >= max_tokens:
                return f"{who} used {spent.tokens} tokens of its cap of {max_tokens} ([llm] max_tokens_per_{scope})"
            if max_cost is not None and spent.cost_usd(self.config) >= max_cost:
                return (f"{who} spent ${spent.cost_usd(self.config):.4f} of its cap of ${max_cost:g} "
                        f"([llm] max_cost_usd_per_{scope})")
        return None
