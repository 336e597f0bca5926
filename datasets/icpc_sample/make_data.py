"""Writes data/sample and data/secret of the sample packages (deterministic). Run from anywhere:
python datasets/icpc_sample/make_data.py"""

import math
import random
from pathlib import Path

HERE = Path(__file__).parent


def write(problem, group, name, text, answer):
    folder = HERE / problem / "data" / group
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.in").write_text(text)
    (folder / f"{name}.ans").write_text(answer)


def rangesum(rng):
    def case(n, q, top, wide=False):
        a = [rng.randint(0, top) for _ in range(n)]
        queries = []
        for _ in range(q):
            if wide:
                queries.append((rng.randint(1, 3), rng.randint(n - 2, n)))
            else:
                l = rng.randint(1, n)
                queries.append((l, rng.randint(l, n)))
        prefix = [0]
        for x in a:
            prefix.append(prefix[-1] + x)
        text = f"{n} {q}\n{' '.join(map(str, a))}\n" + "".join(f"{l} {r}\n" for l, r in queries)
        return text, "".join(f"{prefix[r] - prefix[l - 1]}\n" for l, r in queries)

    write("rangesum", "sample", "1", "3 2\n1 2 3\n1 2\n2 2\n", "3\n2\n")
    cases = [case(1, 1, 5), case(10, 10, 100), case(100, 100, 10**9), case(2000, 2000, 10**9),
             case(20000, 20000, 10**9, wide=True)]
    for k, (text, answer) in enumerate(cases, 1):
        write("rangesum", "secret", f"{k:02d}", text, answer)


def evenodd(rng):
    def case(values):
        return (f"{len(values)}\n" + "".join(f"{v}\n" for v in values),
                "".join("YES\n" if v % 2 == 0 else "NO\n" for v in values))

    write("evenodd", "sample", "1", *case([4, 7, 0]))
    big = 10**18
    cases = [case([2, 3]), case([-3, -4, 5]), case([big, -big + 1]),
             case([rng.randint(-big, big) for _ in range(3000)])]
    for k, (text, answer) in enumerate(cases, 1):
        write("evenodd", "secret", f"{k:02d}", text, answer)


def circlearea(rng):
    def case(radii):
        return (f"{len(radii)}\n" + "".join(f"{r}\n" for r in radii),
                "".join(f"{math.pi * float(r) ** 2:.9f}\n" for r in radii))

    write("circlearea", "sample", "1", *case(["1", "2.5"]))
    cases = [case(["0", "0.001"]), case(["10000", "1234.567"]),
             case([f"{rng.uniform(0, 100):.3f}" for _ in range(50)]),
             case([f"{rng.uniform(0, 10000):.3f}" for _ in range(2000)])]
    for k, (text, answer) in enumerate(cases, 1):
        write("circlearea", "secret", f"{k:02d}", text, answer)


def coprimesplit(rng):
    def case(values):
        return f"{len(values)}\n" + "".join(f"{n}\n" for n in values), "".join(f"1 {n - 1}\n" for n in values)

    write("coprimesplit", "sample", "1", *case([5, 6]))
    cases = [case([3, 4, 10]), case([2007, 12]), case([rng.randint(3, 1000) for _ in range(100)]),
             case([10**9, 999999999, 123456789])]
    for k, (text, answer) in enumerate(cases, 1):
        write("coprimesplit", "secret", f"{k:02d}", text, answer)


def pairproducts(rng):
    def case(n):
        root = math.isqrt(n)
        return f"{n}\n", f"{2 * sum(n // a for a in range(1, root + 1)) - root * root}\n"

    write("pairproducts", "sample", "1", *case(3))
    # the largest is where the accepted CPython solution takes about the 0.3 s limit here
    for k, n in enumerate([1, 10, 1000, rng.randint(10**5, 2 * 10**5), PAIRPRODUCTS_MAX_N], 1):
        write("pairproducts", "secret", f"{k:02d}", *case(n))


PAIRPRODUCTS_MAX_N = 2 * 10**6

if __name__ == "__main__":
    rng = random.Random(2026)
    for make in (rangesum, evenodd, circlearea, coprimesplit):
        make(rng)
    pairproducts(random.Random(16))
