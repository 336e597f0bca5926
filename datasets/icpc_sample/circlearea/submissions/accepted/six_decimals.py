import math
import sys

rs = sys.stdin.read().split()[1:]
for r in rs:
    print(f"{math.acos(-1) * float(r) * float(r):.6f}")
