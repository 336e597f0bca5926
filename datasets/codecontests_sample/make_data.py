"""Writes train.parquet: rows in DeepMind CodeContests' published parquet schema (every column,
with its types: the language, source and difficulty enums as integers, time_limit as
{seconds, nanos}, memory_limit_bytes as the dataset writes it). Every problem, solution and
test here was written for this project. Deterministic; run from anywhere:
python datasets/codecontests_sample/make_data.py

  1548_A. Max Of Two   golds in PYTHON3 (3), CPP (2), JAVA (4) and PYTHON (1, Python 2): the
                       Python 2 one is left out with a warning; incorrect solutions in PYTHON3,
                       CPP and JAVA; public, private and generated tests; 2 s, 256000000 bytes
  1549_B. Count Ones   a gold of UNKNOWN_LANGUAGE (0, detected); 1.5 s; memory_limit_bytes 0
                       (the default, with a warning)
  1550_C. Broken       a bad row: two languages but one solution
"""

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).parent
UNKNOWN_LANGUAGE, PYTHON, CPP, PYTHON3, JAVA = range(5)
CODEFORCES = 2  # the Source enum

TESTS = pa.struct([("input", pa.list_(pa.string())), ("output", pa.list_(pa.string()))])
SOLUTIONS = pa.struct([("language", pa.list_(pa.int64())), ("solution", pa.list_(pa.string()))])
SCHEMA = pa.schema([
    ("name", pa.string()), ("description", pa.string()),
    ("public_tests", TESTS), ("private_tests", TESTS), ("generated_tests", TESTS),
    ("source", pa.int64()), ("difficulty", pa.int64()),
    ("solutions", SOLUTIONS), ("incorrect_solutions", SOLUTIONS),
    ("cf_contest_id", pa.int64()), ("cf_index", pa.string()), ("cf_points", pa.float32()),
    ("cf_rating", pa.int64()), ("cf_tags", pa.list_(pa.string())),
    ("is_description_translated", pa.bool_()), ("untranslated_description", pa.string()),
    ("time_limit", pa.struct([("seconds", pa.int64()), ("nanos", pa.int64())])),
    ("memory_limit_bytes", pa.int64()), ("input_file", pa.string()), ("output_file", pa.string()),
])


def tests(*pairs):
    return {"input": [i for i, _ in pairs], "output": [o for _, o in pairs]}


def solutions(*pairs):
    return {"language": [lang for lang, _ in pairs], "solution": [code for _, code in pairs]}


def row(name, contest, index, description, public, private, generated, gold, incorrect, seconds, nanos, memory):
    return {"name": name, "description": description, "public_tests": public, "private_tests": private,
            "generated_tests": generated, "source": CODEFORCES, "difficulty": 7, "solutions": gold,
            "incorrect_solutions": incorrect, "cf_contest_id": contest, "cf_index": index, "cf_points": 500.0,
            "cf_rating": 800, "cf_tags": ["implementation"], "is_description_translated": False,
            "untranslated_description": "", "time_limit": {"seconds": seconds, "nanos": nanos},
            "memory_limit_bytes": memory, "input_file": "", "output_file": ""}


ROWS = [
    row("1548_A. Max Of Two", 1548, "A", "Print the larger of two integers a and b.",
        tests(("1 2\n", "2\n")), tests(("5 -3\n", "5\n"), ("7 7\n", "7\n")), tests(("-1 -2\n", "-1\n")),
        solutions((PYTHON3, "a, b = map(int, input().split())\nprint(max(a, b))\n"),
                  (CPP, "#include <cstdio>\nint main() { long long a, b; scanf(\"%lld %lld\", &a, &b);\n"
                        "  printf(\"%lld\\n\", a > b ? a : b); }\n"),
                  (JAVA, "import java.util.*;\npublic class Main { public static void main(String[] x) {\n"
                         "  Scanner s = new Scanner(System.in); System.out.println(Math.max(s.nextLong(), s.nextLong())); } }\n"),
                  (PYTHON, "a, b = map(int, raw_input().split())\nprint max(a, b)\n")),
        solutions((PYTHON3, "a, b = map(int, input().split())\nprint(a)\n"),
                  (CPP, "#include <cstdio>\nint main() { int a, b; scanf(\"%d %d\", &a, &b); printf(\"%d\\n\", b); }\n"),
                  (JAVA, "import java.util.*;\nclass Solution { public static void main(String[] x) {\n"
                         "  Scanner s = new Scanner(System.in); System.out.println(Math.min(s.nextLong(), s.nextLong())); } }\n")),
        2, 0, 256000000),
    row("1549_B. Count Ones", 1549, "B", "Print how many characters of the binary string s are 1.",
        tests(("1011\n", "3\n")), tests(("0\n", "0\n")), tests(),
        solutions((UNKNOWN_LANGUAGE, "print(input().strip().count('1'))\n")), solutions(),
        1, 500_000_000, 0),
    row("1550_C. Broken", 1550, "C", "A row whose solutions do not pair up.", tests(), tests(), tests(),
        {"language": [PYTHON3, CPP], "solution": ["print(1)\n"]}, solutions(), 1, 0, 256000000),
]

if __name__ == "__main__":
    pq.write_table(pa.Table.from_pylist(ROWS, schema=SCHEMA), HERE / "train.parquet")
