"""OpenRLHF: `--remote_rm_url <this file>` (a custom `reward_func`), or `--remote_rm_url
http://HOST:PORT/get_reward` against `klearct serve`, with `--label_key ground_truth` on a
klearct verl/trl export.

OpenRLHF calls `reward_func(queries, prompts, labels)`: a query is the prompt followed by
the response as one text, a label is the sample's ground truth. It reads back a dict with
`rewards` (for the advantage), `scores` (0..1, for dynamic filtering) and `extra_logs`
(logged per key). Lists are returned; torch tensors when torch is importable, as its examples do."""

from __future__ import annotations

from klear_ct.rl import remote
from klear_ct.rl.scorer import score_many


def response_text(query: str, prompt: str | None) -> str:
    """The response part of a query (the prompt, when it prefixes the query, is cut off)."""
    if prompt and query.startswith(prompt):
        return query[len(prompt):]
    return query


def samples_of(queries, prompts, labels) -> list[tuple]:
    prompts = prompts if prompts is not None else [None] * len(queries)
    return [(response_text(q, p), label, None) for q, p, label in zip(queries, prompts, labels, strict=True)]


def answer_of(results: list[dict]) -> dict:
    """The get_reward answer as plain lists (what `klearct serve` sends back as JSON)."""
    scores = [float(r["score"]) for r in results]
    logs = {key: [float(r[key]) for r in results]
            for key in ("passed", "total", "format_ok", "sandbox_error", "holdout_score")}
    return {"rewards": scores, "scores": scores, "extra_logs": logs}


def reward_dicts(queries, prompts, labels, mode: str = "binary", reward_url: str | None = None) -> dict:
    samples = samples_of(queries, prompts, labels)
    url = remote.reward_url(reward_url)
    return answer_of(remote.remote_scores(url, samples, mode) if url else score_many(samples, mode))


def reward_func(queries, prompts, labels, **kwargs) -> dict:
    answer = reward_dicts(queries, prompts, labels, kwargs.get("mode", "binary"), kwargs.get("reward_url"))
    try:
        import torch
    except ImportError:
        return answer
    return {"rewards": torch.tensor(answer["rewards"]), "scores": torch.tensor(answer["scores"]),
            "extra_logs": {k: torch.tensor(v) for k, v in answer["extra_logs"].items()}}
