# Reads a 32 MB stdin to the end and prints its length (BADLEN if any byte went missing).
import sys

n = len(sys.stdin.buffer.read())
print(n)
if n != 32 << 20:
    print("BADLEN")
