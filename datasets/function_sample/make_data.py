"""Writes problems.jsonl: two function-call problems in Klear's row shape (type "function_call",
`fn_name` in input_output), written for this project. Deterministic; run from anywhere:
python datasets/function_sample/make_data.py

- fn-running-max: LeetCode style, a `class Solution` method returning a list (the running
  maximum of an array). The known-incorrect solution starts its maximum at 0, which is wrong
  once every number so far is negative; a second one, in C++, is left out (no C++ harness).
- fn-mean-distance: a top-level function returning a float (the mean distance of points from the
  origin). Its two golds add in different orders, so their results may differ in the last bits:
  the row's `comparison` is "json:1e-9" (JSON equality with a float tolerance). The
  known-incorrect solution averages the squared distances' root instead.

Each generator prints one JSON list of argument lists, one per call.
"""

import json
from pathlib import Path

HERE = Path(__file__).parent

RUNNING_MAX_GOLDS = [
    '''from typing import List


class Solution:
    def runningMax(self, nums: List[int]) -> List[int]:
        out, best = [], None
        for x in nums:
            best = x if best is None else max(best, x)
            out.append(best)
        return out
''',
    '''class Solution:
    def runningMax(self, nums: List[int]) -> List[int]:
        return list(accumulate(nums, max))  # List and accumulate come with LeetCode's environment
''',
]
RUNNING_MAX_WRONG = '''class Solution:
    def runningMax(self, nums):
        best, out = 0, []
        for x in nums:
            best = max(best, x)
            out.append(best)
        return out
'''
# function-call problems run in languages with a harness (Python): this one is left out with an event
RUNNING_MAX_CPP = '''#include <vector>
class Solution {
public:
    std::vector<int> runningMax(std::vector<int>& nums) { return nums; }
};
'''
RUNNING_MAX_GENERATOR = '''import json
import random

random.seed(7)
calls = [[[-5, -3, -9]], [[0]], [[-1]]]
for n in (1, 2, 5, 20, 200):
    calls.append([[random.randint(-1000, 1000) for _ in range(n)]])
calls.append([[-k for k in range(1, 50)]])
print(json.dumps(calls))
'''

MEAN_DISTANCE_GOLDS = [
    '''import math


def mean_distance(points):
    return sum(math.hypot(x, y) for x, y in points) / len(points)
''',
    '''import math


def mean_distance(points):
    return math.fsum(math.sqrt(x * x + y * y) for x, y in reversed(points)) / len(points)
''',
]
MEAN_DISTANCE_WRONG = '''import math


def mean_distance(points):
    return math.sqrt(sum(x * x + y * y for x, y in points) / len(points))
'''
MEAN_DISTANCE_GENERATOR = '''import random

random.seed(11)
calls = [[[[3, 4]]], [[[0, 0], [0, 0]]], [[[1, 1], [-1, -1], [2, 0]]]]
for n in (3, 10, 100):
    calls.append([[[random.uniform(-100, 100), random.randint(-100, 100)] for _ in range(n)]])
print(calls)  # a Python literal of JSON's values is read as well
'''

ROWS = [
    {
        "custom_id": "fn-running-max",
        "question": "Given an integer array `nums`, return the array whose i-th element is the maximum of "
                    "nums[0..i].\n\nImplement `Solution.runningMax(nums)`.",
        "starter_code": "class Solution:\n    def runningMax(self, nums: List[int]) -> List[int]:\n        ",
        "type": "function_call",
        "input_output": json.dumps({"inputs": [[[1, 3, 2]], [[2, 1, 5, 4]]], "outputs": [[1, 3, 3], [2, 2, 5, 5]],
                                    "fn_name": "runningMax"}),
        "solutions": RUNNING_MAX_GOLDS,
        "incorrect_solutions": [{"code": RUNNING_MAX_WRONG, "verdict": "WA"},
                                {"code": RUNNING_MAX_CPP, "verdict": "WA"}],
        "input_generator": [RUNNING_MAX_GENERATOR],
        "time-limit": 2.0,
        "memory-limit": 256,
    },
    {
        "custom_id": "fn-mean-distance",
        "question": "Given a non-empty list of points [x, y], return the mean of their Euclidean distances "
                    "from the origin, as a float.\n\nImplement `mean_distance(points)`.",
        "starter_code": "def mean_distance(points):\n    ",
        "type": "function_call",
        "input_output": json.dumps({"inputs": [[[[3, 4], [0, 1]]]], "outputs": [3.0], "fn_name": "mean_distance"}),
        "comparison": "json:1e-9",
        "solutions": MEAN_DISTANCE_GOLDS,
        "incorrect_solutions": [{"code": MEAN_DISTANCE_WRONG, "verdict": "WA"}],
        "input_generator": [MEAN_DISTANCE_GENERATOR],
        "time-limit": "1 s",
        "memory-limit": "256 MB",
    },
]

if __name__ == "__main__":
    with open(HERE / "problems.jsonl", "w", encoding="utf-8") as f:
        for row in ROWS:
            f.write(json.dumps(row) + "\n")
