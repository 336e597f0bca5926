import sys

n = int(sys.stdin.readline())
total = 0
for a in range(1, n + 1):  # correct, but O(n^2)
    for b in range(1, n + 1):
        if a * b <= n:
            total += 1
print(total)
