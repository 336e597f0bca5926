import sys

xs = sys.stdin.read().split()[1:]
print("\n".join("YES" if int(x) % 2 == 0 else "NO" for x in xs))
