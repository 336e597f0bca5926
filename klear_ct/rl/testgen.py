"""The test-generator (ATGEN) reward: score a policy's test case for a (problem, buggy program)
row of `export --format atgen`.

The answer is one test case: its input in a ```input fenced block and the expected output in a
```output block (the prompt's format, `formats.atgen.ANSWER_FORMAT`). Also read: blocks under an
"Input" / "Output" heading line, and a JSON object {"input": ..., "output": ...} (fenced or
bare; "stdin" / "stdout" / "expected_output" as the keys, a list of lines as a value). Components,
each 0 or 1 and reported for every sample:

    format       the answer parses and input and output are within `max_bytes`
    valid_input  the problem's input validator accepts the input (1 without a validator)
    io_accuracy  the gold program runs OK on the input and the predicted output is right under the
                 problem's judge (checker or comparison) against the gold's output (a checker that
                 crashes on the predicted output is no credit)
    attack       io_accuracy, and the buggy program fails the test: WA against the gold's output,
                 or RE / TLE / MLE / OLE (a wrong predicted output earns no attack credit, whatever
                 the buggy program does; it is then not run)

`score` = Σ weight · component (DEFAULT_WEIGHTS sum to 1), and 0 when the input is invalid: an
input the validator rejects earns nothing, not even format credit. `gold_ms` / `buggy_ms` are the
wall time of the sandbox requests for each program. Gold and buggy programs are compiled once
(the sandbox's artifact cache, by source hash); every sample is a one-input request in the warm pool.
Like `scorer.score`, this never raises for a bad sample: it scores 0 with a detail.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Sequence

from klear_ct.llm.extract import FENCE
from klear_ct.model import Program, Verdict
from klear_ct.pipeline.inputs import check_inputs
from klear_ct.rl.scorer import (
    MAX_LIMITS,
    BadGroundTruth,
    capped_limits,
    count,
    json_object,
    judge_with_retry,
    make_judge,
    map_samples,
)
from klear_ct.sandbox import Limits, Sandbox
from klear_ct.text import shorten

log = logging.getLogger(__name__)

KEYS = ("score", "format", "valid_input", "io_accuracy", "attack", "gold_verdict", "buggy_verdict", "sandbox_error",
        "gold_ms", "buggy_ms", "detail")
COMPONENTS = ("format", "valid_input", "io_accuracy", "attack")
DEFAULT_WEIGHTS = {"format": 0.1, "valid_input": 0.1, "io_accuracy": 0.3, "attack": 0.5}
MAX_BYTES = 1 << 16  # per input and per output
FAILED = (Verdict.WA, Verdict.RE, Verdict.TLE, Verdict.MLE, Verdict.OLE)
INPUT_KEYS, OUTPUT_KEYS = ("input", "stdin", "test_input"), ("output", "stdout", "expected_output", "test_output")


class AnswerError(ValueError):
    """The answer holds no test case in a format this reward reads."""


def _text(value) -> str | None:
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return "\n".join(map(str, value))
    return str(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else None


def _from_json(text: str) -> tuple[str, str] | None:
    decoder = json.JSONDecoder()
    for start in reversed([m.start() for m in re.finditer(r"\{", text)]):
        try:
            value, _ = decoder.raw_decode(text, start)
        except ValueError:
            continue
        if isinstance(value, dict):
            keys = {str(k).lower(): v for k, v in value.items()}
            found = [next((_text(keys[k]) for k in names if k in keys), None) for names in (INPUT_KEYS, OUTPUT_KEYS)]
            if found[0] is not None and found[1] is not None:
                return found[0], found[1]
    return None


def _role(tag: str, before: str) -> str | None:
    """input / output: from the fence tag, else from the last line before the block (a heading)."""
    words = tag.lower().split()
    if words and words[0] in INPUT_KEYS + ("in",):
        return "input"
    if words and words[0] in OUTPUT_KEYS + ("out",):
        return "output"
    heading = next((line.lower() for line in reversed(before.splitlines()) if line.strip()), "")
    if words and words[0] not in ("", "text", "txt", "plaintext", "plain"):
        return None  # a code block (```python ...) is neither
    if "output" in heading or "answer" in heading:
        return "output"
    return "input" if "input" in heading else None


def parse_answer(completion: str | None) -> tuple[str, str]:
    """(input, expected output) of an answer; AnswerError when it has none."""
    text = completion or ""
    blocks: dict[str, str] = {}
    end = 0
    for match in FENCE.finditer(text):
        role = _role(match.group(1), text[end:match.start()])
        if role is not None:
            blocks[role] = match.group(2)  # the last block of each role wins
        end = match.end()
    if "input" in blocks and "output" in blocks:
        found = blocks["input"], blocks["output"]
    else:
        found = _from_json(text)
    if found is None:
        raise AnswerError("no test case: expected a ```input block and a ```output block, or JSON with "
                          "\"input\" and \"output\"")
    test_input, output = found
    if not test_input.strip():
        raise AnswerError("the input is empty")
    return (test_input if test_input.endswith("\n") else test_input + "\n"), output


def _program(truth: dict, key: str) -> Program:
    value = truth.get(key)
    if not isinstance(value, dict) or not isinstance(value.get("code"), str) or not isinstance(value.get("lang"), str):
        raise BadGroundTruth(f"ground_truth[{key!r}] is not a {{lang, code}} object")
    return Program(lang=value["lang"], code=value["code"])


def parse_truth(ground_truth) -> tuple[Program, Program, Program | None, dict]:
    """(gold, buggy, input validator or None, judging) of an atgen row's reward_model.ground_truth."""
    ground_truth = json_object(ground_truth)
    judging = ground_truth.get("judging") or {}
    if not isinstance(judging, dict):
        raise BadGroundTruth("ground_truth['judging'] is not an object")
    validator = _program(ground_truth, "input_validator") if ground_truth.get("input_validator") else None
    return _program(ground_truth, "gold"), _program(ground_truth, "buggy"), validator, judging


def check_weights(weights: dict | None) -> dict[str, float]:
    merged = dict(DEFAULT_WEIGHTS)
    for key, value in (weights or {}).items():
        if key not in COMPONENTS or isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"test-generator weights: {key!r}={value!r}; the components are {', '.join(COMPONENTS)}")
        merged[key] = float(value)
    return merged


def result(weights: dict[str, float], **fields) -> dict:
    """A score dict with every key of KEYS; the score from the components."""
    out = {"score": 0.0, "format": 0, "valid_input": 0, "io_accuracy": 0, "attack": 0, "gold_verdict": "",
           "buggy_verdict": "", "sandbox_error": 0, "gold_ms": 0.0, "buggy_ms": 0.0, "detail": ""}
    out.update(fields)
    if out["format"] and out["valid_input"]:
        out["score"] = sum(weights[c] * out[c] for c in COMPONENTS)
    return out


def _timed(call: Callable):
    start = time.perf_counter()
    value = call()
    return value, (time.perf_counter() - start) * 1000


def score_test(completion: str | None, ground_truth, extra_info: dict | None = None, weights: dict | None = None,
               sandbox: Sandbox | None = None, max_limits: Limits = MAX_LIMITS, max_bytes: int = MAX_BYTES) -> dict:
    """The reward of one test-generator answer (see the module doc)."""
    weights = check_weights(weights)
    try:
        gold, buggy, validator, judging = parse_truth(ground_truth)
    except BadGroundTruth as e:
        count("bad_ground_truth")
        return result(weights, detail=f"malformed ground truth: {e}")
    try:
        test_input, predicted = parse_answer(completion)
    except AnswerError as e:
        count("format_errors")
        return result(weights, detail=str(e))
    too_big = [name for name, text in (("input", test_input), ("output", predicted)) if len(text.encode()) > max_bytes]
    if too_big:
        count("format_errors")
        return result(weights, detail=f"the {too_big[0]} is over {max_bytes} bytes")
    found: dict = {"format": 1}
    try:
        if sandbox is None:
            from klear_ct.rl.pool import shared_sandbox

            sandbox = shared_sandbox()
        if validator is not None:
            accepted, why = check_inputs(sandbox, validator, [test_input])[0]
            if not accepted:
                count("scored")
                return result(weights, **found, detail=f"the input validator rejected the input: {shorten(why)}")
        found["valid_input"] = 1
        judge, limits = make_judge(judging, sandbox), capped_limits(judging, max_limits)
        gold_runs, found["gold_ms"] = _timed(lambda: judge_with_retry(judge, gold, [test_input], [None], limits))
        gold_run = gold_runs[0]
        found["gold_verdict"] = gold_run.verdict.value
        if gold_run.verdict != Verdict.OK:
            count("scored")
            return result(weights, **found, detail=f"the gold program got {gold_run.verdict.value} on the input")
        judgement = judge.judge([(test_input, predicted, gold_run.stdout)])[0]
        if judgement.accepted is None:  # the checker crashed on it: a malformed output earns nothing either
            count("scored")
            return result(weights, **found, detail=f"the checker failed on the expected output: "
                                                   f"{shorten(judgement.message)}")
        if not judgement.accepted:
            count("scored")
            return result(weights, **found, detail="the expected output is wrong: "
                                                   f"{shorten(judgement.message or 'it differs from the gold output')}")
        found["io_accuracy"] = 1
        buggy_runs, found["buggy_ms"] = _timed(lambda: judge_with_retry(judge, buggy, [test_input], [gold_run.stdout],
                                                                        limits))
        found["buggy_verdict"] = buggy_runs[0].verdict.value
        found["attack"] = int(buggy_runs[0].verdict in FAILED)
    except Exception as e:  # noqa: BLE001 - a reward never raises into the trainer
        count("sandbox_errors")
        log.warning("klearct test-generator reward: sandbox failure, scored 0: %s", e)
        return result(weights, format=1, sandbox_error=1, detail=f"sandbox failure: {shorten(str(e))}")
    count("scored")
    return result(weights, **found, detail="" if found["attack"] else "the buggy program passes this test")


def score_tests(samples: Sequence[tuple], weights: dict | None = None, sandbox: Sandbox | None = None,
                max_limits: Limits = MAX_LIMITS, max_bytes: int = MAX_BYTES) -> list[dict]:
    """Score (completion, ground_truth, extra_info) samples concurrently, in order."""
    weights = check_weights(weights)
    return map_samples(lambda s, box: score_test(s[0], s[1], s[2] if len(s) > 2 else None, weights, box,
                                                 max_limits, max_bytes), samples, sandbox)
