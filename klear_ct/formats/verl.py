"""verl RL parquet: one row per problem, in the column layout of verl's RL datasets.

`data_source` defaults to "codecontests" so that verl's built-in code scorer
(`verl.utils.reward_score.default_compute_score`) picks this data up; the ground truth is
the JSON string that scorer expects: {"inputs": [...], "outputs": [...]} and, for function
problems, "fn_name" (inputs then hold each call's argument list, outputs the return values).
Checker and limits travel in extra_info and, with the comparison, in ground_truth["judging"];
with --holdout-fraction part of the tests sit in ground_truth's holdout_inputs/outputs.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa

from klear_ct.formats.exporting import ExportItem, ExportOptions, ground_truth_json, prompt_messages, write_dataset
from klear_ct.model import Problem, TestCase

MESSAGE = pa.struct([("role", pa.string()), ("content", pa.large_string())])
SCHEMA = pa.schema([
    ("data_source", pa.string()),
    ("prompt", pa.list_(MESSAGE)),
    ("ability", pa.string()),
    ("reward_model", pa.struct([("style", pa.string()), ("ground_truth", pa.large_string())])),
    ("extra_info", pa.struct([
        ("split", pa.string()), ("index", pa.int64()), ("problem_id", pa.string()),
        ("time_limit_s", pa.float64()), ("memory_limit_mb", pa.int64()),
        ("checker", pa.large_string()), ("checker_lang", pa.string()), ("num_tests", pa.int64()),
    ])),
])


def record(item: ExportItem, options: ExportOptions) -> dict:
    problem = item.problem
    return {
        "data_source": options.data_source or "codecontests",
        "prompt": prompt_messages(problem),
        "ability": "code",
        "reward_model": {"style": "rule", "ground_truth": ground_truth_json(problem, item.tests, options)},
        "extra_info": {
            "split": item.split, "index": item.index, "problem_id": problem.id,
            "time_limit_s": problem.time_limit_s, "memory_limit_mb": problem.memory_limit_mb,
            "checker": problem.checker.code if problem.checker else None,
            "checker_lang": problem.checker.lang if problem.checker else None,
            "num_tests": len(item.tests),  # held-out ones included
        },
    }


def export(rows: Iterable[tuple[Problem, list[TestCase]]], out_path: Path, options: ExportOptions) -> dict:
    return write_dataset(rows, out_path, options, format_name="verl", record=record, schema=SCHEMA)
