# stdin: "write DIR..." leaves a marker file in each DIR; "read DIR..." (the next run of the
# same batch) prints LEAK for every marker it still finds.
import os
import sys

mode, *dirs = sys.stdin.read().split()
for d in dirs:
    path = os.path.join(d, "klearct-persist-marker")
    if mode == "write":
        try:
            with open(path, "w") as f:
                f.write("left by an earlier run\n")
            print("wrote", path)
        except OSError as e:
            print("cannot write", path, e.strerror)
    elif os.path.lexists(path):
        print("LEAK", path)
    else:
        print("gone", path)
