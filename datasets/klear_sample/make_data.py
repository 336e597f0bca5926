"""Writes problems.jsonl: two problems in the shape of Klear-CodeTest's published input rows
(its data/sample.jsonl and data/spj_sample.jsonl), written for this project. Deterministic;
run from anywhere: python datasets/klear_sample/make_data.py

- klear-sum-split: several valid answers, so a special judge: `checker` is a *list* of two
  Klear checkers (`is_valid_output` + a `main()` over its command-line arguments, printing
  True / False). Klear's pipeline judges with the last; the first is an older draft that
  rejects every answer, so validating with it would keep no test. `input_output` is "" (no
  public tests yet), limits are strings as in spj_sample.jsonl, `fn_name` is null.
- klear-digit-sum: a unique answer; limits are floats as in sample.jsonl; no checker.
"""

import json
from pathlib import Path

HERE = Path(__file__).parent

CHECKER_MAIN = '''

def main():
    if len(sys.argv) != 4:
        print(False)
        return
    input_str = sys.argv[1]
    output_str = sys.argv[2]
    reference_output_str = sys.argv[3]
    print(is_valid_output(input_str, output_str, reference_output_str))

if __name__ == "__main__":
    main()
'''

DRAFT_CHECKER = '''import sys

def is_valid_output(input_str, output_str, reference_output_str):
    # draft: compares with the reference exactly, which rejects the other valid splits
    return output_str.split() == reference_output_str.split() and False
''' + CHECKER_MAIN

CHECKER = '''import sys

def is_valid_output(input_str, output_str, reference_output_str):
    try:
        n = int(input_str.split()[0])
        a, b = map(int, output_str.split())
    except Exception:
        return False
    return a >= 1 and b >= 1 and a + b == n
''' + CHECKER_MAIN

SPLIT_GENERATOR = '''import random
random.seed(7)
inputs = ["2\\n", "3\\n", "1000000000\\n"] + [f"{random.randint(2, 10**9)}\\n" for _ in range(7)]
print(inputs)
'''

DIGIT_GENERATOR = '''import random
random.seed(11)
print([f"{random.randint(0, 10**18)}\\n" for _ in range(8)] + ["0\\n", "999999999999999999\\n"])
'''

ROWS = [
    {
        "custom_id": "klear-sum-split",
        "question": "Given an integer n (2 <= n <= 10^9), print two positive integers a and b with a + b = n. "
                    "Any such pair is accepted.",
        "starter_code": "",
        "solutions": [
            "n = int(input())\nprint(1, n - 1)\n",
            "#include <cstdio>\nint main() { long long n; scanf(\"%lld\", &n); printf(\"%lld 1\\n\", n - 1); }\n",
            "n = int(input())\nprint(n // 2, n - n // 2)\n",
        ],
        "input_generator": [SPLIT_GENERATOR],
        "checker": [DRAFT_CHECKER, CHECKER],
        "type": "stdin",
        "input_output": "",
        "fn_name": None,
        "time-limit": "2",
        "memory-limit": "256",
    },
    {
        "custom_id": "klear-digit-sum",
        "question": "Given a non-negative integer n below 10^18, print the sum of its decimal digits.",
        "starter_code": "",
        "solutions": [
            "print(sum(map(int, input().strip())))\n",
            "#include <iostream>\nint main() { unsigned long long n; std::cin >> n; int s = 0;\n"
            "  while (n) { s += n % 10; n /= 10; }\n  std::cout << s << std::endl; }\n",
        ],
        "type": "stdin",
        "input_output": "",
        "time-limit": 1.0,
        "memory-limit": 256.0,
        "input_generator": [DIGIT_GENERATOR],
    },
]

if __name__ == "__main__":
    with open(HERE / "problems.jsonl", "w", encoding="utf-8") as f:
        for row in ROWS:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
