"""Compiled programs, cached by (toolchain, language, flags, source) in memory and on disk.

The memory side holds the most recently used programs, so many and so many bytes at most (the
problems in flight need a few each): a batch of 100k problems compiles 400k programs, and keeping
them all would grow with the problem count. The disk holds them all."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from klear_ct.atomic import write_text
from klear_ct.model import RunResult


def default_cache_dir() -> Path:
    root = os.environ.get("KLEARCT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "klearct")
    return Path(root)


@dataclass
class CompiledProgram:
    lang: str
    files: dict[str, bytes]  # what each run gets in its fresh work directory
    executable: set[str] = field(default_factory=set)
    error: RunResult | None = None  # CE (or SE) when compiling failed

    @property
    def size(self) -> int:
        return sum(len(data) for data in self.files.values()) + 512  # + the record itself, roughly

    def to_json(self) -> str:
        return json.dumps({
            "lang": self.lang, "executable": sorted(self.executable),
            "files": {k: base64.b64encode(v).decode() for k, v in self.files.items()},
            "error": self.error.model_dump(mode="json") if self.error else None,
        })

    @classmethod
    def from_json(cls, text: str) -> CompiledProgram:
        data = json.loads(text)
        return cls(data["lang"], {k: base64.b64decode(v) for k, v in data["files"].items()},
                   set(data["executable"]), RunResult.model_validate(data["error"]) if data["error"] else None)


MEMORY_ENTRIES = 512
MEMORY_BUDGET_BYTES = 64 * 1024 * 1024


class ArtifactCache:
    def __init__(self, directory: Path | None = None, on_disk: bool = True,
                 memory_budget_bytes: int = MEMORY_BUDGET_BYTES):
        self.directory = directory or default_cache_dir() / "artifacts"
        self.on_disk = on_disk
        self.memory_budget_bytes = memory_budget_bytes
        self._memory: OrderedDict[str, CompiledProgram] = OrderedDict()  # least recently used first
        self._memory_bytes = 0
        self._guard = threading.Lock()  # slots compile and look up at once

    @staticmethod
    def key(*parts: str) -> str:
        return hashlib.sha256("\0".join(parts).encode("utf-8", errors="surrogateescape")).hexdigest()

    def get(self, key: str) -> CompiledProgram | None:
        with self._guard:
            if key in self._memory:
                self._memory.move_to_end(key)
                return self._memory[key]
        if not self.on_disk:
            return None
        try:
            compiled = CompiledProgram.from_json((self.directory / f"{key}.json").read_text())
        except (OSError, ValueError, KeyError):
            return None
        self._remember(key, compiled)
        return compiled

    def _remember(self, key: str, compiled: CompiledProgram) -> None:
        """Keep `compiled` in memory, forgetting the least recently used beyond the budget. A cache
        without a disk keeps everything: forgetting would mean compiling again."""
        with self._guard:
            old = self._memory.pop(key, None)
            self._memory_bytes += compiled.size - (old.size if old else 0)
            self._memory[key] = compiled
            while self.on_disk and len(self._memory) > 1 and (len(self._memory) > MEMORY_ENTRIES
                                                              or self._memory_bytes > self.memory_budget_bytes):
                _, dropped = self._memory.popitem(last=False)
                self._memory_bytes -= dropped.size

    def put(self, key: str, compiled: CompiledProgram) -> None:
        self._remember(key, compiled)
        if not self.on_disk:
            return
        write_text(self.directory / f"{key}.json", compiled.to_json())
