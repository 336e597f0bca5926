"""Writes train.parquet: rows in DeepCoder-Preview-Dataset's columns (problem, solutions,
tests, metadata), one per shape of `tests` its subsets use. Every problem, solution and test
here was written for this project. Deterministic; run from anywhere:
python datasets/deepcoder_sample/make_data.py

DeepCoder rows carry no id: klearct names them train-0 ... train-4.
  0  primeintellect stdin_stdout tests; limits in metadata
  1  primeintellect function_call tests (arguments as JSON values, results in one-element lists)
  2  lcbv5 functional tests (LiveCodeBench's one-argument-per-line text), metadata.func_name; no solutions
  3  taco-shaped tests {"inputs", "outputs"}; a C++ gold
  4  a bad row: tests is not JSON
"""

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).parent

SCHEMA = pa.schema([("problem", pa.string()), ("solutions", pa.list_(pa.string())), ("tests", pa.string()),
                    ("metadata", pa.string())])

ROWS = [
    {"problem": "Read n and print n squared.",
     "solutions": ["n = int(input())\nprint(n * n)\n"],
     "tests": json.dumps([{"input": "3\n", "output": "9\n", "type": "stdin_stdout"},
                          {"input": "-4\n", "output": "16\n", "type": "stdin_stdout"}]),
     "metadata": json.dumps({"difficulty": "EASY", "time_limit": "1 second", "memory_limit": "64 megabytes"})},
    {"problem": "Return the longer of two strings (the first when they are as long).",
     "solutions": ["def longer(a, b):\n    return a if len(a) >= len(b) else b\n"],
     "tests": json.dumps([{"type": "function_call", "fn_name": "longer", "input": ["abc", "de"], "output": ["abc"]},
                          {"type": "function_call", "fn_name": "longer", "input": ["", "x"], "output": ["x"]}]),
     "metadata": json.dumps({})},
    {"problem": "Given nums and target, return whether two different elements sum to target.",
     "solutions": None,
     "tests": json.dumps([{"input": "[1, 2, 4]\n6", "output": "true", "testtype": "functional"},
                          {"input": "[3]\n6", "output": "false", "testtype": "functional"}]),
     "metadata": json.dumps({"func_name": "hasPair"})},
    {"problem": "Print the number of vowels in the word.",
     "solutions": ["#include <iostream>\n#include <string>\nint main() { std::string s; std::cin >> s; int c = 0;\n"
                   "  for (char ch : s) c += std::string(\"aeiou\").find(ch) != std::string::npos;\n"
                   "  std::cout << c << std::endl; }\n"],
     "tests": json.dumps({"inputs": ["banana\n", "xyz\n"], "outputs": ["3\n", "0\n"]}),
     "metadata": json.dumps({})},
    {"problem": "A row with broken tests.", "solutions": ["print(1)\n"], "tests": "{not json",
     "metadata": json.dumps({})},
]

if __name__ == "__main__":
    pq.write_table(pa.Table.from_pylist(ROWS, schema=SCHEMA), HERE / "train.parquet")
