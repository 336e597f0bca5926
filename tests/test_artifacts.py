"""The compile cache: memory bounded (a long batch must not grow with its program count), disk whole."""

from klear_ct.sandbox import artifacts
from klear_ct.sandbox.artifacts import ArtifactCache, CompiledProgram


def program(i: int, size: int = 100) -> CompiledProgram:
    return CompiledProgram("python3", {"main.py": bytes([i % 256]) * size})


def test_memory_keeps_the_recently_used_within_budget_and_disk_keeps_all(tmp_path, monkeypatch):
    monkeypatch.setattr(artifacts, "MEMORY_ENTRIES", 10)
    cache = ArtifactCache(tmp_path, memory_budget_bytes=10**9)
    for i in range(50):
        cache.put(f"k{i}", program(i))
        assert cache.get("k0") is not None  # used all along: never the one forgotten
    assert len(cache._memory) == 10
    assert "k0" in cache._memory and "k1" not in cache._memory
    again = cache.get("k1")  # forgotten in memory, read back from disk
    assert again is not None and again.files == program(1).files
    assert len(cache._memory) == 10


def test_byte_budget_and_memory_only_cache(tmp_path):
    cache = ArtifactCache(tmp_path, memory_budget_bytes=5 * program(0, 10_000).size)
    for i in range(20):
        cache.put(f"k{i}", program(i, 10_000))
    assert len(cache._memory) == 5 and cache._memory_bytes <= cache.memory_budget_bytes
    memory_only = ArtifactCache(tmp_path / "unused", on_disk=False, memory_budget_bytes=1)
    for i in range(20):
        memory_only.put(f"k{i}", program(i))
    assert all(memory_only.get(f"k{i}") is not None for i in range(20))  # nothing to read back: keeps all
    assert not (tmp_path / "unused").exists()
