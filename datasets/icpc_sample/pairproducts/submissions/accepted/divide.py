import sys

n = int(sys.stdin.readline())
total = 0
for a in range(1, n + 1):  # b goes up to n // a: O(n), and close to the limit in CPython
    total += n // a
print(total)
