# stdin: the path of a file only the harness may read. Prints that file and the host's usual
# secrets if it can read them (SHADOW_READ when /etc/shadow opens).
import glob
import sys

paths = [sys.stdin.read().strip(), "/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/root/.bash_history",
         "/root/.docker/config.json", "/root/.ssh/id_rsa", "/root/.ssh/id_ed25519", "/proc/1/environ",
         "/proc/1/root/etc/shadow", "/proc/self/root/etc/shadow"]
paths += glob.glob("/home/*/.ssh/id_*") + glob.glob("/tmp/klearct-selfcheck-*/secret")
for path in paths:
    try:
        with open(path, "rb") as f:
            data = f.read(4096)
        if path.endswith("shadow"):
            print("SHADOW_READ", path)
        print(path, data.decode(errors="replace"))
    except OSError as e:
        print(path, "unreadable:", e.strerror)
print("done")
