"""Scoring through a running `klearct serve` instead of a sandbox in this process.

The adapters use it when `reward_url` is given or KLEARCT_REWARD_URL is set (key:
KLEARCT_REWARD_API_KEY). An unreachable or overloaded server never raises into the trainer:
after a few tries each sample scores 0 with sandbox_error=1."""

from __future__ import annotations

import json
import logging
import os
import time
import urllib.error
import urllib.request

from klear_ct.rl.scorer import count, result

log = logging.getLogger(__name__)

RETRIES = 4
RETRY_STATUSES = {502, 503, 504}


def reward_url(explicit: str | None = None) -> str | None:
    return explicit or os.environ.get("KLEARCT_REWARD_URL") or None


def plain(value):
    """numpy scalars and arrays (verl's extra_info) as JSON values."""
    for name in ("item", "tolist"):
        if hasattr(value, name):
            return getattr(value, name)()
    return str(value)


def post_json(url: str, body: dict, api_key: str | None = None, timeout_s: float = 600.0) -> dict:
    """POST JSON and decode the answer; urllib errors propagate."""
    headers = {"Content-Type": "application/json"}
    key = api_key or os.environ.get("KLEARCT_REWARD_API_KEY")
    if key:
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(url, data=json.dumps(body, default=plain).encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout_s) as answer:
        return json.loads(answer.read())


def remote_scores(url: str, samples: list[tuple], mode: str = "binary", api_key: str | None = None) -> list[dict]:
    """Score (completion, ground_truth, extra_info) samples on the server at `url`."""
    body = {"mode": mode, "samples": [{"completion": s[0], "ground_truth": s[1],
                                       "extra_info": s[2] if len(s) > 2 else None} for s in samples]}
    why = ""
    for attempt in range(RETRIES):
        try:
            return post_json(url.rstrip("/") + "/score", body, api_key)["results"]
        except urllib.error.HTTPError as e:
            why = f"HTTP {e.code}"
            if e.code not in RETRY_STATUSES:
                break
        except (OSError, ValueError, KeyError) as e:
            why = str(e)
        time.sleep(min(8.0, 0.5 * 2 ** attempt))
    count("sandbox_errors", len(samples))
    log.warning("klearct reward: the server at %s failed (%s); %d samples scored 0", url, why, len(samples))
    return [result(sandbox_error=1, detail=f"reward server failed: {why}") for _ in samples]
