import sys

ns = sys.stdin.read().split()[1:]
print("\n".join(f"1 {int(n) - 1}" for n in ns))
