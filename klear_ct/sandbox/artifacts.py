"""Compiled programs, cached by (toolchain, language, flags, source) in memory and on disk."""

from __future__ import annotations

import base64
import hashlib
import json
import os
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


class ArtifactCache:
    def __init__(self, directory: Path | None = None, on_disk: bool = True):
        self.directory = directory or default_cache_dir() / "artifacts"
        self.on_disk = on_disk
        self._memory: dict[str, CompiledProgram] = {}

    @staticmethod
    def key(*parts: str) -> str:
        return hashlib.sha256("\0".join(parts).encode("utf-8", errors="surrogateescape")).hexdigest()

    def get(self, key: str) -> CompiledProgram | None:
        if key in self._memory:
            return self._memory[key]
        if not self.on_disk:
            return None
        try:
            compiled = CompiledProgram.from_json((self.directory / f"{key}.json").read_text())
        except (OSError, ValueError, KeyError):
            return None
        self._memory[key] = compiled
        return compiled

    def put(self, key: str, compiled: CompiledProgram) -> None:
        self._memory[key] = compiled
        if not self.on_disk:
            return
        write_text(self.directory / f"{key}.json", compiled.to_json())
