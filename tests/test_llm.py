"""The LLM client against a scripted local server; code extraction, cache keys, prompt rendering."""

import time

import pytest
from fake_openai import Reply

from klear_ct.config import LLMConfig, load_config
from klear_ct.llm.cache import ResponseCache, cache_key
from klear_ct.llm.client import LLMClient, LLMError, cost_usd, failure_cause, is_retryable
from klear_ct.llm.extract import ExtractionError, apply_edits, extract_program, extract_revision, parse_decision
from klear_ct.llm.prompts import KINDS, PromptError, Prompts, fill
from klear_ct.model import Program

MESSAGES = [{"role": "user", "content": "write a generator"}]
GOOD = "Here it is:\n```python\nprint(['1 2'])\n```\n"


def client_for(server, tmp_path=None, **changes) -> LLMClient:
    settings = dict(base_url=server.url, model="fake-model", timeout_s=2, max_retries=4, retry_budget_s=30,
                    backoff_initial_s=0.01, backoff_max_s=0.05)
    config = LLMConfig(**(settings | changes))
    cache = ResponseCache(tmp_path / "cache") if tmp_path else None
    return LLMClient(config, cache=cache, usage_log=tmp_path / "usage.jsonl" if tmp_path else None)


def test_answer_and_usage(fake_openai):
    fake_openai.script([Reply(GOOD, usage=(11, 7))])
    completion = client_for(fake_openai).complete(MESSAGES)
    assert completion.texts == [GOOD] and completion.finish_reasons == ["stop"]
    assert (completion.prompt_tokens, completion.completion_tokens) == (11, 7)
    assert fake_openai.requests[0]["model"] == "fake-model"


def test_429_with_retry_after_500_and_hang_are_retried(fake_openai):
    fake_openai.script([Reply(status=429, headers={"Retry-After": "1"}), Reply(status=500), Reply(status=503),
                        Reply(GOOD, delay_s=5), Reply(GOOD)])
    client = client_for(fake_openai)
    start = time.monotonic()
    completion = client.complete(MESSAGES)
    elapsed = time.monotonic() - start
    assert completion.texts == [GOOD] and len(fake_openai.requests) == 5
    assert elapsed >= 1.0 + 2.0  # waited what Retry-After asked, and the hang ran into the 2 s timeout


@pytest.mark.parametrize("replies, cause", [
    ([Reply(status=500)] * 5, "llm_server_error"),
    ([Reply(status=429, headers={"Retry-After": "0"})] * 5, "llm_rate_limited"),
    ([Reply(raw=b"this is not json")] * 5, "llm_malformed_reply"),
    ([Reply(raw=b'{"object": "chat.completion", "choices": []}')] * 5, "llm_malformed_reply"),
])
def test_retries_end_in_a_failure_with_its_cause(fake_openai, replies, cause):
    fake_openai.script(replies)
    with pytest.raises(LLMError) as info:
        client_for(fake_openai).complete(MESSAGES)
    assert info.value.cause == cause and info.value.attempts == 5 and len(fake_openai.requests) == 5


def test_timeouts_stop_within_the_budget(fake_openai):
    fake_openai.script([Reply(GOOD, delay_s=10)] * 10)
    start = time.monotonic()
    with pytest.raises(LLMError) as info:
        client_for(fake_openai, timeout_s=0.5, retry_budget_s=1.5).complete(MESSAGES)
    assert info.value.cause == "llm_timeout" and time.monotonic() - start < 5


def test_client_errors_are_not_retried(fake_openai):
    fake_openai.script([Reply(status=400), Reply(GOOD)])
    with pytest.raises(LLMError) as info:
        client_for(fake_openai).complete(MESSAGES)
    assert info.value.cause == "llm_request_rejected" and len(fake_openai.requests) == 1


def test_cache_makes_a_rerun_free(fake_openai, tmp_path):
    fake_openai.script([Reply(GOOD, usage=(5, 3)), Reply("```python\nprint(['2 2'])\n```", usage=(5, 4))])
    first = client_for(fake_openai, tmp_path)
    assert first.complete(MESSAGES).texts == [GOOD]
    assert first.complete(MESSAGES, sample=1).texts != [GOOD]  # another draft is another request
    again = client_for(fake_openai, tmp_path)
    hit = again.complete(MESSAGES)
    assert hit.cached and hit.texts == [GOOD] and len(fake_openai.requests) == 2
    lines = (tmp_path / "usage.jsonl").read_text().splitlines()
    assert len(lines) == 2  # cache hits spend nothing


def test_cache_key_depends_on_model_messages_and_params():
    base = cache_key("m", MESSAGES, {"temperature": 0.7, "n": 1})
    assert base == cache_key("m", [dict(m) for m in MESSAGES], {"n": 1, "temperature": 0.7})
    assert base != cache_key("m2", MESSAGES, {"temperature": 0.7, "n": 1})
    assert base != cache_key("m", MESSAGES + MESSAGES, {"temperature": 0.7, "n": 1})
    assert base != cache_key("m", MESSAGES, {"temperature": 0.2, "n": 1})


def test_retry_classification():
    assert is_retryable(TimeoutError()) is False
    assert failure_cause(ValueError()) == "llm_error"


def test_extraction():
    assert extract_program(GOOD) == Program(lang="python3", code="print(['1 2'])\n")
    several = "Idea:\n```python\nx = 1\n```\nFull program:\n```python\nimport random\nprint([str(x) for x in range(3)])\n```\n"
    assert extract_program(several).code.startswith("import random")
    wrong_tag = "```java\n#include <cstdio>\nint main(){puts(\"['1']\");}\n```"
    assert extract_program(wrong_tag).lang == "cpp17"
    assert extract_program("```\nimport sys\nprint([])\n```").lang == "python3"
    assert extract_program("import sys\nprint([])\n").lang == "python3"  # bare code
    for text, reason, cause in [("Sorry, I cannot help.", "stop", "no_code_block"), ("", "stop", "no_code_block"),
                                ("```python\nprint(1", "stop", "truncated"), (GOOD, "length", "truncated"),
                                ("```text\nhello there\n```", "stop", "no_code_block")]:
        with pytest.raises(ExtractionError) as info:
            extract_program(text, reason)
        assert info.value.cause == cause, text


def test_search_replace_edits():
    current = Program(lang="python3", code="n = 10\nprint([str(n)])\n")
    edit = "Fix:\n<<<<<<< SEARCH\nn = 10\n=======\nn = 5\n>>>>>>> REPLACE\n"
    assert extract_revision(edit, "stop", current).code == "n = 5\nprint([str(n)])\n"
    assert extract_revision(GOOD, "stop", current).code == "print(['1 2'])\n"  # a whole rewrite
    assert apply_edits("x", "no edits here") is None
    with pytest.raises(ExtractionError, match="not found"):
        apply_edits(current.code, "<<<<<<< SEARCH\nm = 3\n=======\nm = 4\n>>>>>>> REPLACE\n")


def test_decision():
    assert parse_decision("NEEDS_CHECKER: yes\nbecause any order") is True
    assert parse_decision("no") is False and parse_decision("maybe") is None


def test_prompts_render_every_kind():
    prompts = Prompts()
    values = dict(statement="Print $a+b$ {braces}", time_limit="1", memory_limit="256", gold="```python\n```",
                  examples="", lang="Python 3", fence="python", count="10", code="```python\n```",
                  error_report="it crashed", solution="```python\n```", expected_verdict="WA", approach="slow",
                  outputs="", kind_note="", generator_output="It prints inputs.")
    for kind in KINDS:
        messages = prompts.render(kind, **values)
        assert messages[0]["role"] == "system" and "{{" not in messages[1]["content"], kind
    assert "Print $a+b$ {braces}" in prompts.render("regular", **values)[1]["content"]
    with pytest.raises(PromptError):
        fill("{{missing}}", {})
    assert len(prompts.hashes()) >= len(KINDS)


def test_config_sections_and_env(tmp_path, monkeypatch):
    path = tmp_path / "klearct.toml"
    path.write_text('[llm]\nmodel = "qwen"\nprice_prompt_per_1m = 1.0\nprice_completion_per_1m = 2.0\n'
                    '[generate]\nmax_rounds = 5\ncounts = {regular = 3}\n')
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    config = load_config(path)
    assert config.llm.model == "qwen" and config.llm.base_url == "http://127.0.0.1:9/v1"
    assert config.llm.api_key() == "k" and config.generate.max_rounds == 5 and config.generate.counts == {"regular": 3}
    assert cost_usd(1_000_000, 500_000, config.llm) == pytest.approx(2.0)


def test_requests_in_flight_are_bounded(fake_openai):
    from concurrent.futures import ThreadPoolExecutor

    fake_openai.route = lambda body: Reply(GOOD, delay_s=0.3)
    client = client_for(fake_openai, concurrency=2)
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda k: client.complete(MESSAGES, sample=k), range(6)))
    assert len(fake_openai.requests) == 6 and fake_openai.max_in_flight == 2


def test_drafts_share_a_request_with_n_answers(fake_openai, tmp_path):
    from klear_ct.model import Problem
    from klear_ct.pipeline.session import GenerateSettings, Session

    fake_openai.script([Reply(["```python\nprint(['1'])\n```", "```python\nprint(['2'])\n```"])])
    session = Session(Problem(id="p", statement="s"), client_for(fake_openai, tmp_path, n=2), Prompts(), None,
                      GenerateSettings())
    first = session.ask("regular", "regular-0", 0, sample=0, n=2, choice=0)
    second = session.ask("regular", "regular-1", 0, sample=0, n=2, choice=1)
    assert "'1'" in first[0] and "'2'" in second[0]
    assert len(fake_openai.requests) == 1 and fake_openai.requests[0]["n"] == 2
    assert session.usage.requests == 1 and session.usage.cached == 1


def test_nothing_listening_is_a_connection_failure():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = LLMConfig(base_url=f"http://127.0.0.1:{port}/v1", model="m", timeout_s=1, max_retries=2,
                       backoff_initial_s=0.01, backoff_max_s=0.02)
    with pytest.raises(LLMError) as info:
        LLMClient(config).complete(MESSAGES)
    assert info.value.cause == "llm_connection" and info.value.attempts == 3
