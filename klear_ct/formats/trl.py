"""TRL / open-r1 style parquet: a chat `prompt`, the JSON `ground_truth` (as in verl), and
`verification_info` {language, test_cases: [{input, output, type}]} as open-r1's code
reward reads it. Stdin problems have test type "stdin_stdout"; function problems have type
"function_call", each input the JSON argument list and each output the JSON return value,
and `verification_info.fn_name` (null for stdin problems) names the function. Held-out tests (--holdout-fraction) sit only in ground_truth's
holdout_inputs/outputs; limits, checker and comparison in ground_truth["judging"]."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa

from klear_ct.formats.exporting import (
    ExportItem,
    ExportOptions,
    ground_truth_json,
    prompt_messages,
    split_holdout,
    write_dataset,
)
from klear_ct.formats.verl import MESSAGE
from klear_ct.model import Problem, TestCase

TEST = pa.struct([("input", pa.large_string()), ("output", pa.large_string()), ("type", pa.string())])
SCHEMA = pa.schema([
    ("problem_id", pa.string()),
    ("prompt", pa.list_(MESSAGE)),
    ("ground_truth", pa.large_string()),
    ("verification_info", pa.struct([("language", pa.string()), ("fn_name", pa.string()),
                                     ("test_cases", pa.list_(TEST))])),
])


def record(item: ExportItem, options: ExportOptions) -> dict:
    problem = item.problem
    kind = "function_call" if problem.io_mode == "function" else "stdin_stdout"
    return {
        "problem_id": problem.id,
        "prompt": prompt_messages(problem),
        "ground_truth": ground_truth_json(problem, item.tests, options),
        "verification_info": {
            "language": "python", "fn_name": problem.fn_name if problem.io_mode == "function" else None,
            "test_cases": [{"input": t.input, "output": t.output, "type": kind}  # held-out tests stay out
                           for t in split_holdout(problem, item.tests, options)[0]],
        },
    }


def export(rows: Iterable[tuple[Problem, list[TestCase]]], out_path: Path, options: ExportOptions) -> dict:
    return write_dataset(rows, out_path, options, format_name="trl", record=record, schema=SCHEMA)
