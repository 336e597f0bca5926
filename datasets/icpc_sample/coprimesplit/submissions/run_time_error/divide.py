import sys

ns = sys.stdin.read().split()[1:]
for n in map(int, ns):
    check = n // (n % 1000 - 7)  # ZeroDivisionError when n ends in 007
    print(1, n - 1)
