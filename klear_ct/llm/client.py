"""The OpenAI-compatible client: the `openai` SDK for HTTP, `tenacity` for retries.

Retried: timeouts, connection errors, 429 (waiting what Retry-After asks), 5xx and malformed
replies, with exponential backoff, at most `max_retries` times and within `retry_budget_s`
for all tries of one request together. Anything else (400, 401, 404) fails at once.
Every answer is cached before it is returned, and the usage the server reported is appended
to a log, so the token count survives a killed run and a cache hit costs nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openai
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential_jitter,
)

from klear_ct.config import LLMConfig
from klear_ct.errors import KlearctError
from klear_ct.llm.budget import Budget
from klear_ct.llm.cache import ResponseCache, cache_key
from klear_ct.model import Cause
from klear_ct.store import append_line


class LLMError(KlearctError, RuntimeError):
    """A request that failed for good; `cause` goes into events.jsonl."""

    def __init__(self, cause: str, message: str, attempts: int = 1):
        super().__init__(message)
        self.cause, self.attempts = cause, attempts


class BudgetReached(LLMError):
    """The run's spend cap is reached: nothing was sent, the problem is left pending."""

    def __init__(self, message: str):
        super().__init__(Cause.LLM_BUDGET_REACHED, message, attempts=0)


class MalformedReply(KlearctError, RuntimeError):
    pass


@dataclass
class Completion:
    texts: list[str]
    finish_reasons: list[str | None]
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached: bool = False


@dataclass
class Usage:
    requests: int = 0  # HTTP answers received (cache hits not included)
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, completion: Completion) -> None:
        if completion.cached:
            self.cached += 1
        else:
            self.requests += 1
            self.prompt_tokens += completion.prompt_tokens
            self.completion_tokens += completion.completion_tokens


RETRYABLE = (openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError,
             MalformedReply)


def is_retryable(error: BaseException) -> bool:
    if isinstance(error, RETRYABLE):
        return True
    return isinstance(error, openai.APIStatusError) and error.status_code >= 500


def failure_cause(error: BaseException) -> str:
    for kind, cause in ((openai.APITimeoutError, "llm_timeout"), (openai.APIConnectionError, "llm_connection"),
                        (openai.RateLimitError, "llm_rate_limited"), (MalformedReply, "llm_malformed_reply"),
                        (openai.AuthenticationError, "llm_auth")):
        if isinstance(error, kind):
            return cause
    if isinstance(error, openai.APIStatusError):
        return "llm_server_error" if error.status_code >= 500 else "llm_request_rejected"
    return "llm_error"


def retry_after_s(error: BaseException | None) -> float | None:
    response = getattr(error, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: rare from model servers; fall back to backoff


def parse_completion(response) -> Completion:
    try:
        choices = sorted(response.choices, key=lambda c: c.index or 0)
        texts = [c.message.content for c in choices]
        reasons = [c.finish_reason for c in choices]
    except (AttributeError, TypeError) as e:
        raise MalformedReply(f"the reply is not a chat completion: {e}") from None
    if not choices or not all(isinstance(t, str) for t in texts):
        raise MalformedReply("the reply has no message content")
    usage = getattr(response, "usage", None)
    return Completion(texts=texts, finish_reasons=reasons, prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
                      completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0))


class LLMClient:
    def __init__(self, config: LLMConfig, cache: ResponseCache | None = None, usage_log: Path | None = None,
                 sleep: Callable[[float], None] | None = None, budget: Budget | None = None):
        self.config, self.cache, self.usage_log, self.budget = config, cache, usage_log, budget
        # the SDK's own retries are off: tenacity decides, so the budget covers every try
        self.sdk = openai.OpenAI(base_url=config.base_url, api_key=config.api_key(), max_retries=0,
                                 timeout=config.timeout_s)
        self._slots = threading.BoundedSemaphore(max(1, config.concurrency))
        self._log_lock = threading.Lock()
        self._sleep = sleep
        self._backoff = wait_exponential_jitter(multiplier=config.backoff_initial_s, max=config.backoff_max_s,
                                                jitter=config.backoff_initial_s)

    def params(self, n: int | None = None, sample: int = 0) -> dict:
        return {"temperature": self.config.temperature, "max_tokens": self.config.max_tokens,
                "n": n or self.config.n, "sample": sample}

    def complete(self, messages: list[dict], *, n: int | None = None, sample: int = 0, problem_id: str = "",
                 purpose: str = "") -> Completion:
        """`sample` tells apart requests that are meant to differ (the k-th draft of a kind)."""
        params = self.params(n, sample)
        key = cache_key(self.config.model, messages, params)
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            return Completion(texts=hit["texts"], finish_reasons=hit["finish_reasons"],
                              prompt_tokens=hit.get("prompt_tokens", 0),
                              completion_tokens=hit.get("completion_tokens", 0), cached=True)
        if self.budget is not None and (why := self.budget.reached()) is not None:
            raise BudgetReached(why)
        completion = self._request(messages, params)
        if self.budget is not None:
            self.budget.add(completion.prompt_tokens, completion.completion_tokens)
        if self.cache is not None:
            self.cache.put(key, {"texts": completion.texts, "finish_reasons": completion.finish_reasons,
                                 "prompt_tokens": completion.prompt_tokens,
                                 "completion_tokens": completion.completion_tokens, "model": self.config.model})
        if self.usage_log is not None:
            with self._log_lock:
                append_line(self.usage_log, {"problem_id": problem_id, "purpose": purpose, "model": self.config.model,
                                             "prompt_tokens": completion.prompt_tokens,
                                             "completion_tokens": completion.completion_tokens})
        return completion

    def _wait(self, state: RetryCallState) -> float:
        asked = retry_after_s(state.outcome.exception() if state.outcome else None)
        return self._backoff(state) if asked is None else asked

    def _request(self, messages: list[dict], params: dict) -> Completion:
        extra = {} if self._sleep is None else {"sleep": self._sleep}
        retrying = Retrying(retry=retry_if_exception(is_retryable), wait=self._wait, reraise=True,
                            stop=stop_after_attempt(self.config.max_retries + 1)
                            | stop_before_delay(self.config.retry_budget_s), **extra)
        try:
            return retrying(self._attempt, messages, params)
        except (openai.OpenAIError, MalformedReply) as e:
            attempts = retrying.statistics.get("attempt_number", 1)
            raise LLMError(failure_cause(e), f"{type(e).__name__} after {attempts} tries: {str(e)[:300]}",
                           attempts) from None

    def _attempt(self, messages: list[dict], params: dict) -> Completion:
        with self._slots:
            try:
                response = self.sdk.chat.completions.create(
                    model=self.config.model, messages=messages, temperature=params["temperature"],
                    max_tokens=params["max_tokens"], **({"n": params["n"]} if params["n"] != 1 else {}))
            except ValueError as e:  # a body that is not JSON
                raise MalformedReply(f"the reply is not JSON: {e}") from None
        if isinstance(response, str | bytes):
            raise MalformedReply(f"the reply is not JSON: {str(response)[:120]!r}")
        return parse_completion(response)


def cost_usd(prompt_tokens: int, completion_tokens: int, config: LLMConfig) -> float | None:
    if config.price_prompt_per_1m is None and config.price_completion_per_1m is None:
        return None
    return (prompt_tokens * (config.price_prompt_per_1m or 0.0)
            + completion_tokens * (config.price_completion_per_1m or 0.0)) / 1e6
