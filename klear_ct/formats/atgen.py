"""ATGEN test-generator parquet: one row per (problem, buggy program), for training a policy
that writes one test case exposing a bug (ATGEN: "Adversarial Reinforcement Learning for Test
Case Generation").

Buggy programs are the incorrect solutions the run's kill matrix says at least one written test
kills (`TestCase.kills`); their first failing verdict comes from the run's solutions/ rows.
Columns:

    question, buggy_code, gold_code   ATGEN's fields (renamed with `field_names`, e.g. question=problem)
    problem_id, buggy_id, buggy_lang, gold_lang
    origin            {source: dataset | adversarial, round, model}: where the buggy program came from
    tests             the validated tests as verl's ground truth JSON ({"inputs", "outputs", "judging"})
    killing_tests     indices into tests of the tests that kill the buggy program; killing_test_ids their ids
    first_failure_verdict   WA / TLE / RE / ... on the first test it failed in validate (null if unknown)
    difficulty        the share of tests the buggy program passes; `hard`: it passes every public test
                      and more than half of the others
    data_source, prompt, ability, reward_model, extra_info   verl's columns: the prompt asks for one
                      test case in ANSWER_FORMAT; reward_model.ground_truth is what
                      klear_ct.rl.testgen scores against (gold, buggy, judging, input validator)

Rows are written hardest first (difficulty descending), so a curriculum reads the file in order;
`min_difficulty` leaves out the easier ones. Function-call problems are left out (the answer
format is a stdin input). The rows are held in memory until written, to be ordered.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa

from klear_ct.errors import UsageError
from klear_ct.formats.exporting import (
    ExportOptions,
    ParquetSink,
    abort_all,
    commit_all,
    exportable_tests,
    ground_truth_json,
    judging,
    output_files,
    split_of,
    summary,
)
from klear_ct.formats.verl import MESSAGE
from klear_ct.model import IncorrectProgram, Problem, Program, TestCase
from klear_ct.sandbox import runnable
from klear_ct.sandbox.languages import get_language

NAME = "atgen"
DATA_SOURCE = "klearct_atgen"
RENAMABLE = ("question", "buggy_code", "gold_code")
ANSWER_FORMAT = ("Answer with the test's input in a ```input code block, then the correct output for that input "
                 "in a ```output code block.")

ORIGIN = pa.struct([("source", pa.string()), ("round", pa.int64()), ("model", pa.string())])


def schema(names: dict[str, str]) -> pa.Schema:
    return pa.schema([
        (names["question"], pa.large_string()), (names["buggy_code"], pa.large_string()),
        (names["gold_code"], pa.large_string()),
        ("problem_id", pa.string()), ("buggy_id", pa.string()), ("buggy_lang", pa.string()), ("gold_lang", pa.string()),
        ("origin", ORIGIN), ("tests", pa.large_string()), ("killing_tests", pa.list_(pa.int64())),
        ("killing_test_ids", pa.list_(pa.string())), ("first_failure_verdict", pa.string()),
        ("difficulty", pa.float64()), ("hard", pa.bool_()),
        ("data_source", pa.string()), ("prompt", pa.list_(MESSAGE)), ("ability", pa.string()),
        ("reward_model", pa.struct([("style", pa.string()), ("ground_truth", pa.large_string())])),
        ("extra_info", pa.struct([("split", pa.string()), ("index", pa.int64()), ("problem_id", pa.string()),
                                  ("buggy_id", pa.string()), ("difficulty", pa.float64())])),
    ])


def column_names(options: ExportOptions) -> dict[str, str]:
    names = {name: name for name in RENAMABLE}
    for field, column in options.field_names:
        if field not in RENAMABLE:
            raise UsageError(f"atgen: cannot rename {field!r}; the renamable fields are {', '.join(RENAMABLE)}")
        names[field] = column
    fixed = set(schema({name: name for name in RENAMABLE}).names) - set(RENAMABLE)
    if len(set(names.values())) < len(names) or set(names.values()) & fixed:
        raise UsageError(f"atgen: field names {names} clash with each other or with another column")
    return names


def prompt_text(problem: Problem, buggy: Program) -> str:
    language = get_language(buggy.lang)
    return (f"{problem.statement.rstrip()}\n\nThis {language.name} program is meant to solve the problem above but "
            f"is wrong on some inputs:\n\n```{language.fence}\n{buggy.code.rstrip()}\n```\n\n"
            "Write one test case that exposes the bug: an input that meets every constraint of the statement, on "
            f"which this program fails, and the correct output for it. {ANSWER_FORMAT}")


def reward_truth(problem: Problem, gold: Program, buggy: IncorrectProgram) -> str:
    """What the test-generator reward needs: both programs, the judging and the input validator."""
    validator = problem.input_validator
    return json.dumps({"problem_id": problem.id, "buggy_id": buggy.id,
                       "gold": {"lang": gold.lang, "code": gold.code},
                       "buggy": {"lang": buggy.program.lang, "code": buggy.program.code},
                       "input_validator": {"lang": validator.lang, "code": validator.code} if validator else None,
                       "judging": judging(problem)}, ensure_ascii=False)


def gold_for(problem: Problem, lang: str) -> Program | None:
    """The gold shown beside a buggy program: the first runnable one in its language, else the first runnable."""
    golds = [g for g in problem.gold if runnable(g)]
    return next((g for g in golds if g.lang == lang), golds[0] if golds else None)


def problem_records(problem: Problem, tests: list[TestCase], solutions: list[dict], names: dict[str, str],
                    options: ExportOptions, counts: Counter) -> list[dict]:
    """One record per buggy program of the problem that a test kills (extra_info's split and index are set later)."""
    first_failure = {row["solution_id"]: row.get("first_failure") for row in solutions}
    tests_json = ground_truth_json(problem, tests)
    records = []
    for buggy in problem.incorrect:
        killing = [k for k, t in enumerate(tests) if buggy.id in t.kills]
        gold = gold_for(problem, buggy.program.lang)
        if not killing or gold is None or not runnable(buggy.program):
            counts["buggy_not_killed" if not killing else "buggy_not_runnable"] += 1
            continue
        others = [t for t in tests if t.kind != "public"]
        difficulty = 1.0 - len(killing) / len(tests)
        if difficulty < options.min_difficulty:
            counts["buggy_below_min_difficulty"] += 1
            continue
        passes_others = sum(buggy.id not in t.kills for t in others)
        origin = buggy.origin or {}
        records.append({
            names["question"]: problem.statement, names["buggy_code"]: buggy.program.code,
            names["gold_code"]: gold.code,
            "problem_id": problem.id, "buggy_id": buggy.id, "buggy_lang": buggy.program.lang, "gold_lang": gold.lang,
            "origin": {"source": origin.get("source", "dataset"), "round": origin.get("round", 0),
                       "model": origin.get("model")},
            "tests": tests_json, "killing_tests": killing, "killing_test_ids": [tests[k].id for k in killing],
            "first_failure_verdict": first_failure.get(buggy.id),
            "difficulty": difficulty,
            "hard": not any(t.kind == "public" and buggy.id in t.kills for t in tests)
                    and passes_others * 2 > len(others),
            "data_source": options.data_source or DATA_SOURCE,
            "prompt": [{"role": "user", "content": prompt_text(problem, buggy.program)}],
            "ability": "code",
            "reward_model": {"style": "rule", "ground_truth": reward_truth(problem, gold, buggy)},
            "extra_info": {"split": None, "index": None, "problem_id": problem.id, "buggy_id": buggy.id,
                           "difficulty": difficulty},
        })
    return records


def export(rows: Iterable[tuple], out_path: Path, options: ExportOptions) -> dict:
    names = column_names(options)
    paths = output_files(Path(out_path), ".parquet", options)
    by_split: dict[str, list[dict]] = {split: [] for split in paths}
    counts: Counter = Counter()
    skipped: Counter = Counter()
    skipped_ids: dict[str, list[str]] = {}
    for problem, tests, *rest in rows:
        chosen = exportable_tests(problem, list(tests), options.max_tests_per_problem, counts)
        records = [] if problem.io_mode == "function" or not chosen else problem_records(
            problem, chosen, rest[0] if rest else [], names, options, counts)
        if not records:
            reason = ("function_problem" if problem.io_mode == "function" else
                      "no_tests" if not chosen else "no_killed_buggy_program")
            skipped[reason] += 1
            skipped_ids.setdefault(reason, []).append(problem.id)
            continue
        counts["problems"] += 1
        counts["tests"] += len(chosen)
        by_split[split_of(problem.id, options.seed, options.validation_fraction)].extend(records)
    sinks = {split: ParquetSink(path, schema(names)) for split, path in paths.items()}
    try:
        for split, records in by_split.items():
            records.sort(key=lambda r: (-r["difficulty"], r["problem_id"], r["buggy_id"]))  # hardest first
            for index, record in enumerate(records):
                record["extra_info"].update(split=split, index=index)
                sinks[split].write(record)
        commit_all(sinks)
    except BaseException:
        abort_all(sinks)
        raise
    counts.setdefault("problems", 0)
    return summary(NAME, out_path, paths, {split: sink.rows for split, sink in sinks.items()}, counts, skipped,
                   skipped_ids, options, buggy_programs=sum(sink.rows for sink in sinks.values()),
                   left_out_buggy_programs={k: counts[k] for k in ("buggy_not_killed", "buggy_not_runnable",
                                                                   "buggy_below_min_difficulty") if counts[k]},
                   min_difficulty=options.min_difficulty)
