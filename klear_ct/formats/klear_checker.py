"""Klear-CodeTest's special judges, made to speak klearct's checker protocol.

The two interfaces:

    Klear     a Python program defining `is_valid_output(input_str, output_str, reference_output_str)`
              and a `main()` that passes it its three command-line arguments (the texts themselves)
              and prints the result. Klear's pipeline cuts the program at its top-level
              `def main(`, appends a `main()` that reads the three texts from the files named on the
              command line, and accepts when the checker prints exactly `True`.
    klearct   checker input.txt output.txt answer.txt      (see klear_ct.judge.checker)
              exit 0 accepts, 1 rejects; an uncaught Python exception is a checker failure

`adapt` does what Klear's pipeline does, with an entry point of klearct's: the program up to its
`def main(` unchanged, then one that reads the three files, prints the result as Klear's did, and
exits 0 only when that printed text is `True`. A checker that is not Klear's kind (no
`is_valid_output`, or another language) is returned unchanged: it already speaks klearct's protocol.
"""

from __future__ import annotations

import re

from klear_ct.model import Program

_JUDGE_FUNCTION = re.compile(r"^def\s+is_valid_output\s*\(", re.MULTILINE)
_MAIN = re.compile(r"^def\s+main\s*\(", re.MULTILINE)

ENTRY_POINT = '''

def _klearct_checker_main():
    import sys
    texts = []
    for path in sys.argv[1:4]:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            texts.append(f.read())
    verdict = str(is_valid_output(*texts)).strip()
    print(verdict)
    sys.exit(0 if verdict == "True" else 1)


if __name__ == "__main__":
    _klearct_checker_main()
'''


def is_klear_checker(program: Program) -> bool:
    return program.lang in ("python3", "pypy3") and _JUDGE_FUNCTION.search(program.code) is not None


def adapt(program: Program) -> Program:
    """`program` as a klearct checker (see the module docstring)."""
    if not is_klear_checker(program):
        return program
    main = _MAIN.search(program.code)
    head = program.code[:main.start()] if main else program.code
    return Program(lang=program.lang, code=head.rstrip() + "\n" + ENTRY_POINT)
