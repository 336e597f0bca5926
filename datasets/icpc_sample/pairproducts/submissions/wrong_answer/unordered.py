import sys

n = int(sys.stdin.readline())
total = 0
for a in range(1, n + 1):  # counts each pair {a, b} once: wrong, the pairs are ordered
    total += max(0, n // a - a + 1)
print(total)
