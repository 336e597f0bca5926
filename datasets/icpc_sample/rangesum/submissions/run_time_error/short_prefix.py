import sys

data = sys.stdin.read().split()
n, q = int(data[0]), int(data[1])
a = [int(x) for x in data[2:2 + n]]
prefix = [0] * n  # one too short: prefix[n] is missing
for i in range(1, n):
    prefix[i] = prefix[i - 1] + a[i - 1]
pos = 2 + n
for _ in range(q):
    l, r = int(data[pos]), int(data[pos + 1])
    pos += 2
    print(prefix[r] - prefix[l - 1])  # IndexError when r = n
