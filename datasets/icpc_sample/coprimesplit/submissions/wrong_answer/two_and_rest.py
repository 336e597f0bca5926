import sys

ns = sys.stdin.read().split()[1:]
print("\n".join(f"2 {int(n) - 2}" for n in ns))  # gcd is 2 when n is even
