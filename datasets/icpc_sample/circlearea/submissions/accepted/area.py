import math
import sys

rs = sys.stdin.read().split()[1:]
print("\n".join(f"{math.pi * float(r) ** 2:.10f}" for r in rs))
