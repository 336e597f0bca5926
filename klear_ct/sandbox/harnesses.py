"""Function-call harnesses, one per language that has one (the language table names it).

A harness turns a solution that defines a function into an ordinary stdin program: stdin holds
one call's arguments as a JSON array, stdout gets the JSON of the result. It finds the function
as a method of `class Solution` (LeetCode) or as a top-level `fn_name` (TACO / APPS call-based).
A harness is (prefix, suffix) around the solution's own code, so a syntax error in it is still
a compile error, and FN_NAME in the suffix is replaced by the name as a string literal.
What the solution prints goes to stderr, so only the result reaches stdout. A harness failure
(no such function, arguments that are not a JSON array, a result JSON cannot hold) exits 1 with
a line starting FAILURE: the run is RE with that line as its message.
"""

FN_NAME = "__KLEARCT_FN_NAME__"
FAILURE = "function harness:"  # starts the line a harness writes to stderr when it fails (sandbox/verdict.py)

# one line, so the solution's line numbers in a traceback are one more than its own; `__name__`
# is not "__main__" for the solution, so its own `if __name__ == "__main__":` block stays quiet;
# the imports are the ones LeetCode's Python environment gives a solution without asking
PYTHON_PREFIX = (
    "import sys as _kct_sys; _kct_sys.modules['solution'] = _kct_sys.modules[__name__]; "
    "_kct_stdout, _kct_sys.stdout, __name__ = _kct_sys.stdout, _kct_sys.stderr, 'solution'; "
    "from typing import *; from collections import *; from heapq import *; from bisect import *; "
    "from itertools import *; from functools import *; "
    "import collections, heapq, bisect, itertools, functools, math, string, re\n"
)

PYTHON_SUFFIX = f'''

def _kct_call(name):
    import json

    def fail(why):
        _kct_sys.stderr.write(f"{FAILURE} {{why}}\\n")
        raise SystemExit(1)

    try:
        args = json.loads(_kct_sys.stdin.read())
    except ValueError as e:
        fail(f"the input is not JSON: {{e}}")
    if not isinstance(args, list):
        fail(f"the input is a JSON {{type(args).__name__}}, not an array of arguments")
    space = globals()
    if isinstance(space.get("Solution"), type) and hasattr(space["Solution"], name):
        target = getattr(space["Solution"](), name)
    elif callable(space.get(name)):
        target = space[name]
    else:
        fail(f"no function {{name!r}}: define it at the top level or as a method of class Solution")
    result = target(*args)
    try:
        text = json.dumps(result, allow_nan=False)
    except (TypeError, ValueError) as e:
        fail(f"the result is not JSON-serialisable: {{e}}")
    _kct_stdout.write(text)  # the JSON text alone, as the readers keep an expected result
    _kct_stdout.flush()


_kct_call({FN_NAME})
'''

PYTHON = (PYTHON_PREFIX, PYTHON_SUFFIX)
