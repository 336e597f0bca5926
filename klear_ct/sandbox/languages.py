"""The language table: the one place to add a language.

Each entry says how to compile (inside the sandbox, under compile limits), which file
the compile step leaves to keep, how to run, and a hello-world that echoes stdin,
which `klearct sandbox check` runs first to prove the entry works.
"""

from __future__ import annotations

from dataclasses import dataclass

from klear_ct.errors import UsageError

CPP_DEFINES = ("-DONLINE_JUDGE",)
PYTHON_SYNTAX_CHECK = "import sys; compile(open(sys.argv[1], 'rb').read(), sys.argv[1], 'exec')"


@dataclass(frozen=True)
class Language:
    name: str
    source_file: str
    run_cmd: tuple[str, ...]
    compile_cmd: tuple[str, ...]
    artifact: str | None  # file the compile step produces; None: run the source itself
    # address space granted above the memory limit for the runtime itself (interpreter, libraries)
    address_space_slack_mb: int
    hello: str

    @property
    def flags(self) -> str:
        return " ".join(self.compile_cmd)


LANGUAGES: dict[str, Language] = {
    lang.name: lang
    for lang in (
        Language(
            name="python3",
            source_file="main.py",
            compile_cmd=("python3", "-c", PYTHON_SYNTAX_CHECK, "main.py"),
            artifact=None,
            run_cmd=("python3", "main.py"),
            address_space_slack_mb=64,
            hello="import sys\nsys.stdout.write(sys.stdin.read())\n",
        ),
        Language(
            name="cpp17",
            source_file="main.cpp",
            compile_cmd=("g++", "-std=c++17", "-O2", "-pipe", *CPP_DEFINES, "-o", "prog", "main.cpp"),
            artifact="prog",
            run_cmd=("./prog",),
            address_space_slack_mb=16,
            hello="#include <iostream>\n#include <string>\nint main(){std::string s;"
            "while(std::getline(std::cin,s))std::cout<<s<<'\\n';}\n",
        ),
        Language(
            name="c11",
            source_file="main.c",
            compile_cmd=("gcc", "-std=c11", "-O2", "-pipe", *CPP_DEFINES, "-o", "prog", "main.c", "-lm"),
            artifact="prog",
            run_cmd=("./prog",),
            address_space_slack_mb=16,
            hello="#include <stdio.h>\nint main(void){int c;while((c=getchar())!=EOF)putchar(c);return 0;}\n",
        ),
    )
}

ALIASES = {"python": "python3", "py": "python3", "py3": "python3", "cpp": "cpp17", "c++": "cpp17",
           "c++17": "cpp17", "c": "c11"}


class UnknownLanguage(UsageError):
    pass


def get_language(name: str) -> Language:
    key = ALIASES.get(name.lower(), name.lower())
    try:
        return LANGUAGES[key]
    except KeyError:
        raise UnknownLanguage(f"unknown language {name!r}; known: {', '.join(LANGUAGES)}") from None
