"""The LLM side: an OpenAI-compatible client (retries, concurrency, cache, token accounting),
prompt rendering and code extraction."""
