"""Writes test.jsonl: rows in LiveCodeBench's published code-generation columns
(`code_generation_lite`), with private tests in its compressed form (base64 of zlib of a
pickle of the tests' JSON text) or as plain JSON text. Every problem and test here was written
for this project. Deterministic; run from anywhere: python datasets/livecodebench_sample/make_data.py

  kc001     AtCoder-style stdin problem; compressed private tests
  3999      LeetCode-style functional problem (`class Solution`, metadata.func_name); the
            input of a test is one JSON argument per line; compressed private tests
  kc002     stdin problem whose private tests are plain JSON text (older releases), with a
            `solutions` column as datasets derived from LiveCodeBench add (LiveCodeBench has none)
  kc003     a bad row: private_test_cases is neither JSON nor base64

The hostile-pickle row is built by the test itself (tests/test_readers.py), not shipped here.
"""

import base64
import json
import pickle
import zlib
from pathlib import Path

HERE = Path(__file__).parent


def compressed(cases) -> str:
    return base64.b64encode(zlib.compress(pickle.dumps(json.dumps(cases)))).decode()


def row(question_id, title, content, platform, public, private, starter="", metadata=None):
    return {"question_title": title, "question_content": content, "platform": platform, "question_id": question_id,
            "contest_id": "kc", "contest_date": "2026-01-01T00:00:00", "starter_code": starter, "difficulty": "easy",
            "public_test_cases": json.dumps(public), "private_test_cases": private,
            "metadata": json.dumps(metadata or {})}


def stdin(i, o):
    return {"input": i, "output": o, "testtype": "stdin"}


def call(args, result):
    return {"input": "\n".join(json.dumps(a) for a in args), "output": json.dumps(result), "testtype": "functional"}


ROWS = [
    row("kc001", "Doubling", "Print twice the integer N.", "atcoder", [stdin("3\n", "6\n")],
        compressed([stdin("0\n", "0\n"), stdin("-7\n", "-14\n")])),
    row("3999", "Pair Sum", "Given nums and k, return how many pairs i < j have nums[i] + nums[j] == k.", "leetcode",
        [call([[1, 2, 3, 4], 5], 2)], compressed([call([[1, 1, 1], 2], 3), call([[], 0], 0)]),
        starter="class Solution:\n    def countPairs(self, nums: List[int], k: int) -> int:\n        ",
        metadata={"func_name": "countPairs"}),
    row("kc002", "Echo", "Print the line you read.", "atcoder", [stdin("hello\n", "hello\n")],
        json.dumps([stdin("x y\n", "x y\n")])) | {"solutions": ["print(input())\n"]},
    row("kc003", "Broken", "A row with damaged private tests.", "atcoder", [stdin("1\n", "1\n")], "%%% not base64 %%%"),
]

if __name__ == "__main__":
    with open(HERE / "test.jsonl", "w", encoding="utf-8") as f:
        for r in ROWS:
            f.write(json.dumps(r) + "\n")
