import math
import sys

ns = sys.stdin.read().split()[1:]
for n in map(int, ns):
    best = 1
    for a in range(1, n // 2 + 1):  # correct, but O(n)
        if math.gcd(a, n - a) == 1:
            best = a
    print(best, n - best)
