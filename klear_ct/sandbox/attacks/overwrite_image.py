# Tries to change the image's programs without destroying anything: open for writing (no
# truncation, nothing written), create a file beside them, chmod. Prints LEAK on any success.
import os

targets = ["/usr/bin/python3", "/bin/sh", "/opt/klearct/runner.py", "/opt/klearct/klearct-spawn",
           "/usr/local/include/testlib.h", "/usr/bin/g++", "/etc/passwd", "/etc/ld.so.preload"]
for path in targets:
    try:
        fd = os.open(path, os.O_WRONLY)
        os.close(fd)
        print("LEAK: writable", path)
    except OSError as e:
        print(path, "not writable:", e.strerror)
    try:
        os.chmod(path, os.stat(path).st_mode)
        print("LEAK: chmod allowed on", path)
    except OSError:
        pass
    beside = os.path.join(os.path.dirname(path), "klearct-probe")
    try:
        fd = os.open(beside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.close(fd)
        os.unlink(beside)
        print("LEAK: can create files in", os.path.dirname(path))
    except OSError:
        pass
