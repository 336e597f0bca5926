"""The sandbox self-check: hostile programs from attacks/corpus.toml, each with the verdicts it must get.

`run_selfcheck(sandbox)` first proves every language works (hello-world echo), then runs every
attack that applies to the backend, each followed by a hello-world that must still work, and
ends with one more. During the check a TCP listener on this machine counts connections (any
connection during an attack is a breach) and a secret sits in this process's environment and
in a 0600 file, which no program may print. See corpus.toml for the format.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from klear_ct.errors import UsageError
from klear_ct.model import Program, RunResult, Verdict
from klear_ct.sandbox.base import Sandbox
from klear_ct.sandbox.languages import LANGUAGES, get_language
from klear_ct.sandbox.limits import Limits

ATTACKS_DIR = Path(__file__).resolve().parent / "attacks"
CORPUS = ATTACKS_DIR / "corpus.toml"
BACKENDS = ("docker", "local")
SECRET_ENV = "KLEARCT_SELFCHECK_SECRET"
HELLO_INPUT = "hello klearct\n1 2 3\n"
SANITY_INPUT = "still working\n"

REQUIRED = {"name", "about", "file", "lang", "expect"}
OPTIONAL = {"inputs", "stdin_mb", "time_s", "memory_mb", "forbid", "backends", "requires_root_on"}


class CorpusError(UsageError):
    pass


@dataclass(frozen=True)
class Attack:
    name: str
    about: str
    file: str
    lang: str
    expect: tuple[str, ...]
    inputs: tuple[str, ...] = ("",)
    stdin_mb: int = 0
    time_s: float = 1.0
    memory_mb: int = 128
    forbid: tuple[str, ...] = ()
    backends: tuple[str, ...] = BACKENDS
    requires_root_on: tuple[str, ...] = ()

    @property
    def program(self) -> Program:
        return Program(lang=self.lang, code=(ATTACKS_DIR / self.file).read_text())

    @property
    def limits(self) -> Limits:
        return Limits(time_s=self.time_s, memory_mb=self.memory_mb)

    def applies_to(self, backend: str, as_root: bool) -> bool:
        return backend in self.backends and (as_root or backend not in self.requires_root_on)


@dataclass
class AttackOutcome:
    name: str
    about: str
    expected: list[str]
    got: list[str] = field(default_factory=list)  # the verdict of each run
    passed: bool = False
    detail: str = ""  # why it failed, or a short note
    seconds: float = 0.0


# -- the corpus -----------------------------------------------------------------------------------
def _attack_from(entry: dict, index: int) -> Attack:
    name = entry.get("name") or f"attack #{index + 1}"

    def bad(why: str) -> CorpusError:
        return CorpusError(f"{CORPUS.name}: attack {name!r}: {why}")

    if not isinstance(entry, dict):
        raise bad("is not a table")
    missing, unknown = REQUIRED - entry.keys(), entry.keys() - REQUIRED - OPTIONAL
    if missing:
        raise bad(f"missing {', '.join(sorted(missing))}")
    if unknown:
        raise bad(f"unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("name", "about", "file", "lang"):
        if not isinstance(entry[key], str) or not entry[key]:
            raise bad(f"{key} must be a non-empty string")
    for key in ("expect", "inputs", "forbid", "backends", "requires_root_on"):
        if key in entry and not (isinstance(entry[key], list) and all(isinstance(v, str) for v in entry[key])):
            raise bad(f"{key} must be a list of strings")
    if not entry["expect"]:
        raise bad("expect is empty")
    verdicts = {v.value for v in Verdict}
    if wrong := [v for v in entry["expect"] if v not in verdicts]:
        raise bad(f"unknown verdict(s) {wrong}; known: {', '.join(sorted(verdicts))}")
    for key in ("backends", "requires_root_on"):
        if wrong := [b for b in entry.get(key, []) if b not in BACKENDS]:
            raise bad(f"{key}: unknown backend(s) {wrong}")
    if "inputs" in entry and "stdin_mb" in entry:
        raise bad("give inputs or stdin_mb, not both")
    if "inputs" in entry and not entry["inputs"]:
        raise bad("inputs is empty")
    stdin_mb = entry.get("stdin_mb", 0)
    if not isinstance(stdin_mb, int) or isinstance(stdin_mb, bool) or not 0 <= stdin_mb <= 256:
        raise bad("stdin_mb must be a whole number of MB from 0 to 256")
    time_s, memory_mb = entry.get("time_s", 1.0), entry.get("memory_mb", 128)
    if not isinstance(time_s, int | float) or isinstance(time_s, bool) or not 0 < time_s <= 60:
        raise bad("time_s must be a number of seconds in (0, 60]")
    if not isinstance(memory_mb, int) or isinstance(memory_mb, bool) or not 16 <= memory_mb <= 4096:
        raise bad("memory_mb must be a whole number of MB from 16 to 4096")
    try:
        get_language(entry["lang"])
    except ValueError as e:
        raise bad(str(e)) from None
    if not (ATTACKS_DIR / entry["file"]).is_file():
        raise bad(f"file {entry['file']} is not in {ATTACKS_DIR}")
    return Attack(name=entry["name"], about=entry["about"], file=entry["file"], lang=entry["lang"],
                  expect=tuple(entry["expect"]), inputs=tuple(entry.get("inputs", [""])), stdin_mb=stdin_mb,
                  time_s=float(time_s), memory_mb=memory_mb, forbid=tuple(entry.get("forbid", [])),
                  backends=tuple(entry.get("backends", BACKENDS)),
                  requires_root_on=tuple(entry.get("requires_root_on", [])))


def load_corpus(path: Path = CORPUS) -> list[Attack]:
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise CorpusError(f"{path}: {e}") from None
    if set(data) - {"attack"} or not isinstance(data.get("attack"), list):
        raise CorpusError(f"{path}: expected only [[attack]] tables")
    attacks = [_attack_from(entry, i) for i, entry in enumerate(data["attack"])]
    seen: set[str] = set()
    for attack in attacks:
        if attack.name in seen:
            raise CorpusError(f"{path.name}: attack {attack.name!r} appears twice")
        seen.add(attack.name)
    return attacks


# -- what the harness provides while the check runs ------------------------------------------------
class Listener:
    """A TCP server on every address of this machine that only counts who connects."""

    def __init__(self):
        self.connections = 0
        self._sock = socket.create_server(("0.0.0.0", 0), backlog=64)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="selfcheck-listener", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            conn.close()

    def prove_reachable(self, host: str) -> None:
        """Connect from here first: 'unreachable from the sandbox' then means something."""
        before = self.connections
        with socket.create_connection((host, self.port), timeout=2):
            pass
        deadline = time.monotonic() + 2
        while self.connections == before and time.monotonic() < deadline:
            time.sleep(0.01)
        if self.connections == before:
            raise OSError(f"the self-check listener did not see the connection to {host}:{self.port}")

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(timeout=2)


def _ipv4_addresses(*args: str) -> list[str]:
    """Addresses `ip -4 -o addr show ARGS` lists."""
    if shutil.which("ip") is None:
        return []
    out = subprocess.run(["ip", "-4", "-o", "addr", "show", *args], capture_output=True, text=True).stdout
    return [words[words.index("inet") + 1].split("/")[0] for words in map(str.split, out.splitlines())
            if "inet" in words]


def host_address(sandbox: Sandbox) -> str:
    """A non-loopback IPv4 address of this machine: the bridge gateway under Docker."""
    client = getattr(sandbox, "client", None)
    if client is not None:
        try:
            bridge = client.networks.get("bridge").attrs
            for config in bridge["IPAM"]["Config"] or []:
                if "." in config.get("Gateway", ""):
                    return config["Gateway"]
            device = (bridge.get("Options") or {}).get("com.docker.network.bridge.name", "docker0")
            if found := _ipv4_addresses("dev", device):
                return found[0]
        except Exception:  # noqa: BLE001 - no bridge network: any global address of this machine will do
            pass
    found = _ipv4_addresses("scope", "global")
    return found[0] if found else "127.0.0.1"  # no global address: the loopback attack covers it


def generated_stdin(mb: int) -> str:
    line = "".join(str(i % 10) for i in range(63)) + "\n"
    return line * (mb * (1 << 20) // len(line)) + "x" * (mb * (1 << 20) % len(line))


def substitute(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


# -- running ---------------------------------------------------------------------------------------
def _hello(sandbox: Sandbox, lang: str, text: str) -> tuple[str, str | None]:
    """(verdict, None) when the language's hello-world echoes `text`; else (verdict, what went wrong)."""
    problems: list[str] = []
    program, limits = Program(lang=lang, code=LANGUAGES[lang].hello), Limits(time_s=5)
    allowed = 2 * (sandbox.compile_limits.time_s * 2 + 30) + 2 * (limits.wall_s + 31) + 15
    results = _bounded(sandbox, allowed, lambda: sandbox.run(program, [text], limits), problems)
    if not results:
        return "error", "; ".join(problems)
    result = results[0]
    if result.verdict != Verdict.OK:
        return result.verdict.value, f"{result.verdict}: {_describe(result)}"
    if result.stdout != text:
        return "WA", f"echoed {result.stdout[:100]!r} instead of {text!r}"
    return "OK", None


def _hello_outcome(sandbox: Sandbox, lang: str, name: str, about: str, text: str) -> AttackOutcome:
    started = time.monotonic()
    verdict, problem = _hello(sandbox, lang, text)
    return AttackOutcome(name=name, about=about, expected=["OK"], got=[verdict], passed=problem is None,
                         detail=problem or "", seconds=time.monotonic() - started)


def _describe(result: RunResult) -> str:
    return (result.message or result.stderr_tail.strip() or result.stdout.strip())[-160:]


def _unstick(sandbox: Sandbox) -> None:
    """Docker: remove the sandbox's containers (its private `_live`), which ends an exec that its own
    watchdog failed to end; the backend then starts fresh ones. Other backends time out by themselves."""
    for container in list(getattr(sandbox, "_live", {}).values()):
        try:
            container.remove(force=True)
        except Exception:  # noqa: BLE001 - already gone
            pass


def _bounded(sandbox: Sandbox, seconds: float, call: Callable[[], object], problems: list[str]) -> object | None:
    """`call()`, or None with the reason added to `problems` when it raised or outlived `seconds`."""
    box: dict[str, object] = {}

    def work() -> None:
        try:
            box["value"] = call()
        except Exception as e:  # noqa: BLE001 - a crashing sandbox is what the check reports
            box["error"] = e

    worker = threading.Thread(target=work, name="selfcheck-call", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        problems.append(f"no answer within {seconds:.0f} s: the sandbox's own watchdog did not end the request"
                        + ("; the check removed its containers to go on" if hasattr(sandbox, "_live") else ""))
        for _ in range(20):
            _unstick(sandbox)
            worker.join(5)
            if not worker.is_alive():
                break
        else:
            problems.append("the sandbox stayed stuck")
            return None
    if "error" in box:
        error = box["error"]
        problems.append(f"the sandbox raised {type(error).__name__}: {error}")
        return None
    return box.get("value")


def run_attack(sandbox: Sandbox, attack: Attack, values: dict[str, str], listener: Listener) -> AttackOutcome:
    outcome = AttackOutcome(name=attack.name, about=attack.about, expected=list(attack.expect))
    inputs = [generated_stdin(attack.stdin_mb)] if attack.stdin_mb else [substitute(i, values) for i in attack.inputs]
    forbidden = [substitute(f, values) for f in attack.forbid]
    connections = listener.connections
    started = time.monotonic()
    problems: list[str] = []
    results: list[RunResult] = []
    program = attack.program
    compile_s = 2 * (sandbox.compile_limits.time_s * 2 + 30) + 15
    run_s = 2 * (len(inputs) * (attack.limits.wall_s + 1) + 30) + 15  # the backend's watchdog, retry included
    # compile first (cached), so that only the runs count against run_s
    if _bounded(sandbox, compile_s, lambda: sandbox.compile(program), problems) is not None:
        results = _bounded(sandbox, run_s, lambda: sandbox.run(program, inputs, attack.limits), problems) or []
    outcome.seconds = time.monotonic() - started
    outcome.got = [r.verdict.value for r in results]
    for i, result in enumerate(results):
        run = f"run {i + 1}: " if len(results) > 1 else ""
        if result.verdict.value not in attack.expect:
            problems.append(f"{run}{result.verdict} ({_describe(result)})")
        for text in forbidden:
            for stream, content in (("stdout", result.stdout), ("stderr", result.stderr_tail)):
                if text and text in content:
                    at = content.index(text)
                    problems.append(f"{run}{stream} shows {text!r}: {content[max(0, at - 60):at + 100].strip()!r}")
    time.sleep(0.05)  # let the listener count a connection that just arrived
    if listener.connections > connections:
        problems.append(f"the host's listener got {listener.connections - connections} connection(s)")
    _, broken = _hello(sandbox, "python3", SANITY_INPUT)
    if broken:
        problems.append(f"the sandbox failed the next program: {broken}")
    outcome.passed = not problems
    outcome.detail = "; ".join(problems) if problems else (_describe(results[-1]) if results else "")
    return outcome


def run_selfcheck(sandbox: Sandbox, progress: Callable[[str], None] | None = None,
                  attacks: list[Attack] | None = None) -> list[AttackOutcome]:
    """Hello-worlds, every attack applicable to `sandbox.kind`, then a last sanity run.

    `progress(name)` is called before each step. `attacks` defaults to the whole corpus.
    """
    progress = progress or (lambda name: None)
    as_root = os.geteuid() == 0
    attacks = [a for a in (attacks if attacks is not None else load_corpus()) if a.applies_to(sandbox.kind, as_root)]
    outcomes = []
    for lang in LANGUAGES:
        progress(f"hello:{lang}")
        outcomes.append(_hello_outcome(sandbox, lang, f"hello:{lang}", f"{lang} hello-world echoes stdin",
                                       HELLO_INPUT))

    secret = secrets.token_hex(16)
    previous = os.environ.get(SECRET_ENV)
    listener = Listener()
    secret_dir = tempfile.mkdtemp(prefix="klearct-selfcheck-")  # mode 0700
    try:
        os.environ[SECRET_ENV] = secret
        secret_path = os.path.join(secret_dir, "secret")
        fd = os.open(secret_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(f"{SECRET_ENV}={secret}\n")
        host_ip = host_address(sandbox)
        for address in (host_ip, "127.0.0.1"):
            try:
                listener.prove_reachable(address)
            except OSError as e:
                outcomes.append(AttackOutcome(name=f"listener:{address}", about="the host reaches its own listener",
                                              expected=["OK"], got=["error"], detail=f"cannot connect: {e}"))
        values = {"host_ip": host_ip, "port": str(listener.port), "secret": secret, "secret_path": secret_path}
        for attack in attacks:
            progress(attack.name)
            outcomes.append(run_attack(sandbox, attack, values, listener))
    finally:
        listener.close()
        shutil.rmtree(secret_dir, ignore_errors=True)
        if previous is None:
            os.environ.pop(SECRET_ENV, None)
        else:
            os.environ[SECRET_ENV] = previous

    progress("sanity")
    outcomes.append(_hello_outcome(sandbox, "python3", "sanity", "a plain program still works at the end",
                                   SANITY_INPUT))
    return outcomes
