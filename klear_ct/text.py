"""Short text for events, messages and reports."""

from __future__ import annotations


def shorten(text: str | None, limit: int = 300) -> str:
    """`text` cut in the middle to about `limit` characters, saying how much was left out."""
    text = text or ""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}…[{len(text) - limit} chars]…{text[-half:]}"
