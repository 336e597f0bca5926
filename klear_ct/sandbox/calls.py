"""Function-call problems as the sandbox runs them: the one place that builds a problem's runnable
program (a stdin program as it is; a function solution wrapped in its language's harness), and
the two texts of a call's arguments.

Inside klearct a function test's input is the JSON array of the call's arguments and its output
the JSON of the result (what the readers produce, what a harness reads and prints). verl's
scorers, and LiveCodeBench, write the arguments one JSON value per line instead: the exports
write that form and the reward reads both.
"""

from __future__ import annotations

import json

from klear_ct.model import Problem, Program
from klear_ct.sandbox.languages import UnknownLanguage, get_language


def function_program(program: Program, fn_name: str | None) -> Program | None:
    """The program to run: `program` itself when there is no function to call, else `program`
    in its language's function harness; None when its language has no harness (or is unknown)."""
    if not fn_name:
        return program
    try:
        harness = get_language(program.lang).function_harness
    except UnknownLanguage:
        return None
    if harness is None:
        return None
    from klear_ct.sandbox.harnesses import FN_NAME

    prefix, suffix = harness
    return Program(lang=program.lang, code=prefix + program.code + suffix.replace(FN_NAME, json.dumps(fn_name)))


def runnable_problem(problem: Problem) -> Problem:
    """The problem as the sandbox runs it: a function problem's golds and incorrect solutions in
    their harness (those in a language without one left out), io_mode stdin, no fn_name; a stdin
    problem as it is. Validate, evaluate and the checker writer run solutions through this."""
    if problem.io_mode != "function":
        return problem
    gold = [p for p in (function_program(g, problem.fn_name) for g in problem.gold) if p is not None]
    incorrect = [s.model_copy(update={"program": p}) for s in problem.incorrect
                 if (p := function_program(s.program, problem.fn_name)) is not None]
    return problem.model_copy(update={"io_mode": "stdin", "fn_name": None, "gold": gold, "incorrect": incorrect})


def arguments_text(args: list) -> str:
    """A call's arguments as klearct keeps them: one JSON array."""
    return json.dumps(args, ensure_ascii=False)


def arguments_as_lines(text: str) -> str:
    """klearct's JSON array of arguments -> one JSON value per line (verl's and LiveCodeBench's form)."""
    return "\n".join(json.dumps(arg, ensure_ascii=False) for arg in json.loads(text))


def arguments_from_lines(text: str) -> str:
    """One JSON value per line -> klearct's JSON array of arguments (ValueError when a line is not JSON)."""
    return arguments_text([json.loads(line) for line in text.split("\n") if line.strip()])


def call_test(given, expected) -> tuple[str, str]:
    """A function test from an export's ground truth -> klearct's (input, output) texts: the
    arguments one JSON value per line (verl's form) or as a list, the result as its JSON text or
    as a value. ValueError when they are not JSON."""
    if not isinstance(given, str | list):
        raise ValueError(f"a call's arguments are a {type(given).__name__}, not lines of JSON or a list")
    args = arguments_from_lines(given) if isinstance(given, str) else arguments_text(given)
    if isinstance(expected, str):
        json.loads(expected)
        return args, expected
    return args, json.dumps(expected, ensure_ascii=False)
