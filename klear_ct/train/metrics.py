"""What a training step's rewards say: mean reward, share with usable code, verdict mix,
visible vs held-out score, time in the reward; one JSON line per step in the training log."""

from __future__ import annotations

import json
import threading
from collections import Counter
from pathlib import Path

LOG_NAME = "train_log.jsonl"


def verdict_of(result: dict) -> str:
    """One word per scored completion: OK, a failing verdict, no_code or SE."""
    if not result.get("format_ok"):
        return "no_code"
    if result.get("sandbox_error"):
        return "SE"
    return result.get("first_failure_verdict") or ("OK" if result.get("score") == 1.0 else "partial")


def summarize(results: list[dict]) -> dict:
    """The per-step numbers over a batch of score dicts (klear_ct.rl.scorer.SCORE_KEYS)."""
    n = len(results)
    if not n:
        return {"completions": 0}
    held = [r for r in results if r.get("holdout_total", 0) > 0]
    summary = {
        "completions": n,
        "reward_mean": sum(r["score"] for r in results) / n,
        "format_ok": sum(bool(r["format_ok"]) for r in results) / n,
        "verdicts": dict(sorted(Counter(verdict_of(r) for r in results).items())),
        "sandbox_errors": sum(int(r.get("sandbox_error", 0)) for r in results),
        # visible vs held-out over the completions whose problem has held-out tests
        "visible_score": sum(r["score"] for r in held) / len(held) if held else None,
        "holdout_score": sum(r["holdout_score"] for r in held) / len(held) if held else None,
    }
    summary["holdout_gap"] = (summary["visible_score"] - summary["holdout_score"]) if held else None
    return summary


class StepStats:
    """Score dicts and reward time gathered since the last drain (the reward may run several times a step)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._results: list[dict] = []
        self._reward_s = 0.0

    def add(self, results: list[dict], seconds: float) -> None:
        with self._lock:
            self._results.extend(results)
            self._reward_s += seconds

    def drain(self) -> dict:
        with self._lock:
            results, seconds, self._results, self._reward_s = self._results, self._reward_s, [], 0.0
        return summarize(results) | {"reward_s": round(seconds, 3)}


def append_log(output_dir: Path, record: dict) -> None:
    path = Path(output_dir) / LOG_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(record, sort_keys=True, default=str) + "\n")


def read_log(output_dir: Path) -> list[dict]:
    """The log's lines; a resumed run's repeated steps keep their last line."""
    path = Path(output_dir) / LOG_NAME
    if not path.exists():
        return []
    by_step: dict[int, dict] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a torn last line of a killed run
        by_step[record.get("step", len(by_step))] = record
    return [by_step[k] for k in sorted(by_step)]
