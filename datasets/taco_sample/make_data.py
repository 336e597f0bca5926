"""Writes taco.parquet (rows in TACO's published columns, all strings as TACO has them) and
apps.jsonl (rows in APPS's published columns). Every problem, solution and test here was
written for this project. Deterministic; run from anywhere: python datasets/taco_sample/make_data.py

taco.parquet, rows 0-3 (TACO rows carry no id: klearct names them taco-0 ... taco-3):
  0  stdin, golds in Python, C++ and Java; one
     test written as a list of lines; limits "1 seconds", "256 megabytes"
  1  call-based LeetCode style (`class Solution`), outputs wrapped in one-element lists as
     TACO writes them; limits "None"
  2  call-based top-level function with a float result; list-valued arguments
  3  a bad row: 3 inputs but 2 outputs
apps.jsonl: problem_id 4000 (stdin, no limits: APPS has none), 4001 (a call-based problem
with a list result), 4002 (solutions "": a bad row).
"""

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).parent

TACO_COLUMNS = ["question", "solutions", "starter_code", "input_output", "difficulty", "raw_tags", "name", "source",
                "tags", "skill_types", "url", "Expected Auxiliary Space", "time_limit", "date", "picture_num",
                "memory_limit", "Expected Time Complexity"]


def taco_row(question, solutions, io, starter="", time_limit="None", memory_limit="None", name=""):
    row = dict.fromkeys(TACO_COLUMNS, "")
    row.update(question=question, solutions=json.dumps(solutions), starter_code=starter, input_output=json.dumps(io),
               difficulty="EASY", raw_tags="['Math']", name=name, source="klearct", tags="['Mathematics']",
               skill_types="['Implementation']", url="", time_limit=time_limit, memory_limit=memory_limit,
               date="2026-01-01", picture_num="0")
    row["Expected Auxiliary Space"] = row["Expected Time Complexity"] = None
    return row


TACO = [
    taco_row("Read two integers and print their product.",
             ["a, b = map(int, input().split())\nprint(a * b)\n",
              "#include <iostream>\nint main() { long long a, b; std::cin >> a >> b; std::cout << a * b << std::endl; }\n",
              "import java.util.*;\npublic class Main { public static void main(String[] x) { Scanner s = new Scanner("
              "System.in); System.out.println(s.nextLong() * s.nextLong()); } }\n"],
             {"inputs": ["2 3\n", ["7", "6"]], "outputs": ["6\n", "42\n"]},
             time_limit="1 seconds", memory_limit="256 megabytes", name="Product"),
    taco_row("Repeatedly add the digits of num until one digit is left; return it.",
             ["class Solution:\n    def addDigits(self, num: int) -> int:\n        return 0 if num == 0 else 1 + (num - 1) % 9\n",
              "class Solution:\n    def addDigits(self, num):\n        while num >= 10:\n"
              "            num = sum(int(d) for d in str(num))\n        return num\n"],
             {"fn_name": "addDigits", "inputs": [[38], [0], [99999]], "outputs": [[2], [0], [9]]},
             starter="class Solution:\n    def addDigits(self, num: int) -> int:\n        ", name="Add Digits"),
    taco_row("Return the mean of a non-empty list of numbers.",
             ["def mean(xs):\n    return sum(xs) / len(xs)\n",
              "import statistics\ndef mean(xs):\n    return float(statistics.fmean(xs))\n"],
             {"fn_name": "mean", "inputs": [[[1, 2]], [[3, 4, 8]]], "outputs": [[1.5], [5.0]]},
             starter="def mean(xs):\n\t", name="Mean"),
    taco_row("A row whose tests do not pair up.", ["print(1)\n"], {"inputs": ["1\n", "2\n", "3\n"], "outputs": ["1\n", "1\n"]}),
]

APPS = [
    {"problem_id": 4000, "question": "Print the sum of the integers on the only line.",
     "solutions": json.dumps(["print(sum(map(int, input().split())))\n",
                              "import sys\nprint(sum(int(x) for x in sys.stdin.read().split()))\n"]),
     "input_output": json.dumps({"inputs": ["1 2 3\n", "10\n"], "outputs": ["6\n", "10\n"]}),
     "difficulty": "introductory", "url": "", "starter_code": ""},
    {"problem_id": 4001, "question": "Return the list of the first n squares.",
     "solutions": json.dumps(["def squares(n):\n    return [k * k for k in range(1, n + 1)]\n"]),
     "input_output": json.dumps({"fn_name": "squares", "inputs": [[3], [0]], "outputs": [[1, 4, 9], []]}),
     "difficulty": "introductory", "url": "", "starter_code": "def squares(n):\n\t"},
    {"problem_id": 4002, "question": "A row without solutions.", "solutions": "",
     "input_output": json.dumps({"inputs": ["1\n"], "outputs": ["1\n"]}), "difficulty": "interview", "url": "",
     "starter_code": ""},
]

if __name__ == "__main__":
    pq.write_table(pa.Table.from_pylist(TACO, schema=pa.schema([(c, pa.string()) for c in TACO_COLUMNS])),
                   HERE / "taco.parquet")
    with open(HERE / "apps.jsonl", "w", encoding="utf-8") as f:
        for row in APPS:
            f.write(json.dumps(row) + "\n")
