import math
import sys

data = sys.stdin.read().split()
t = int(data[0])
assert t <= 100, "only 100 radii supported"
print("\n".join(f"{math.pi * float(r) ** 2:.10f}" for r in data[1:]))
