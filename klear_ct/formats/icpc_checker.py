"""An ICPC / Kattis output validator, wrapped so that klearct's Judge can call it as a checker.

The two interfaces:

    ICPC      validator INPUT ANSWER FEEDBACK_DIR [validator_flags...] < TEAM_OUTPUT
              exit 42 accepts, 43 rejects; a message may be left in FEEDBACK_DIR/judgemessage.txt
    klearct   checker input.txt output.txt answer.txt      (see klear_ct.judge.checker)
              exit 0 accepts, 1 rejects, anything else is a checker failure

`wrap_validator` returns a Program in the validator's language that contains the validator
unchanged plus a small entry point: it creates `feedback/`, runs the validator with the ICPC
arguments and the team output on stdin, prints the judge message, and maps 42 -> 0, 43 -> 1,
anything else -> 3 (a checker failure). Python validators run as a child interpreter;
C/C++ validators have their `main` renamed and are called in a forked child, so a validator
that calls exit(42) itself works too (its main must take `(argc, argv)`).
"""

from __future__ import annotations

from klear_ct.errors import UsageError
from klear_ct.model import Program

_PYTHON_WRAPPER = '''import os, subprocess, sys

VALIDATOR = {source!r}
FLAGS = {flags!r}
with open("icpc_validator.py", "w") as f:
    f.write(VALIDATOR)
os.makedirs("feedback", exist_ok=True)
with open(sys.argv[2], "rb") as team_output:
    code = subprocess.run([sys.executable, "icpc_validator.py", sys.argv[1], sys.argv[3], "feedback/", *FLAGS],
                          stdin=team_output).returncode
for name in ("judgemessage.txt", "teammessage.txt"):
    try:
        print(open(os.path.join("feedback", name)).read()[-300:])
    except OSError:
        pass
sys.exit({{42: 0, 43: 1}}.get(code, 3))
'''

_C_WRAPPER = '''
#undef main
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {{
    if (argc < 4) return 3;
    mkdir("feedback", 0755);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) return 3;
    if (pid == 0) {{
        if (!freopen(argv[2], "r", stdin)) _exit(3);
        char *args[] = {{argv[0], argv[1], argv[3], (char *)"feedback/", {flags}NULL}};
        exit(icpc_validator_main((int)(sizeof(args) / sizeof(args[0])) - 1, args));
    }}
    int status = 0;
    if (waitpid(pid, &status, 0) < 0) return 3;
    FILE *message = fopen("feedback/judgemessage.txt", "r");
    if (message) {{
        char buffer[512];
        size_t n = fread(buffer, 1, sizeof(buffer) - 1, message);
        buffer[n] = 0;
        fputs(buffer, stdout);
        fclose(message);
    }}
    if (!WIFEXITED(status)) return 3;
    return WEXITSTATUS(status) == 42 ? 0 : WEXITSTATUS(status) == 43 ? 1 : 3;
}}
'''


def _c_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrap_validator(source: str, lang: str, flags: list[str] | tuple[str, ...] = ()) -> Program:
    """A klearct checker Program running the ICPC output validator `source` (python3, cpp17 or c11)."""
    if lang.startswith("python"):
        return Program(lang="python3", code=_PYTHON_WRAPPER.format(source=source, flags=list(flags)))
    if lang in ("cpp17", "c11"):
        extra = "".join(f"(char *){_c_string(flag)}, " for flag in flags)
        code = f"#define main icpc_validator_main\n{source}\n{_C_WRAPPER.format(flags=extra)}"
        return Program(lang=lang, code=code)
    raise UsageError(f"output validators in {lang} are not supported (python3, cpp17, c11 are)")
