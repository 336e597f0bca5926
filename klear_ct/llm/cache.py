"""A persistent response cache: the same (model, messages, params) never costs tokens twice.

One JSON file per answer under the cache folder (a run's `llm/cache/`), written to a temporary
name and renamed, so a killed run leaves no half answer and several threads may share it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from klear_ct.atomic import write_text


def cache_key(model: str, messages: list[dict], params: dict) -> str:
    blob = json.dumps({"model": model, "messages": messages, "params": params}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


class ResponseCache:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        try:
            return json.loads(self._path(key).read_text())
        except (OSError, ValueError):
            return None

    def put(self, key: str, value: dict) -> None:
        write_text(self._path(key), json.dumps(value, ensure_ascii=False))
