# "plant": symlinks to the host's files, FIFOs, and a directory without permissions, in the work
# dir, /tmp and /dev/shm. "check" (next run of the batch): none of them may still be there,
# and the run must not hang on a FIFO. Prints LEAK for each survivor.
import os
import sys

DIRS = [".", "/tmp", "/dev/shm"]
NAMES = ["klearct-link-passwd", "klearct-link-shadow", "klearct-fifo", "klearct-locked", "output.txt"]

mode = sys.stdin.read().strip()
for d in DIRS:
    if mode == "plant":
        for name, plant in [("klearct-link-passwd", lambda p: os.symlink("/etc/passwd", p)),
                            ("klearct-link-shadow", lambda p: os.symlink("/etc/shadow", p)),
                            ("output.txt", lambda p: os.symlink("/etc/passwd", p)),
                            ("klearct-fifo", os.mkfifo)]:
            try:
                plant(os.path.join(d, name))
            except OSError as e:
                print(d, name, e.strerror)
        try:
            locked = os.path.join(d, "klearct-locked")
            os.makedirs(os.path.join(locked, "inner"))
            os.mkfifo(os.path.join(locked, "inner", "fifo"))
            os.symlink("/etc", os.path.join(locked, "inner", "etc"))
            os.chmod(os.path.join(locked, "inner"), 0)
            os.chmod(locked, 0)
        except OSError as e:
            print(d, "locked dir:", e.strerror)
        print("planted in", d)
    else:
        for name in NAMES:
            if os.path.lexists(os.path.join(d, name)):
                print("LEAK", os.path.join(d, name))
        print("checked", d)
