# klearct generator: prints a Python list of input strings
import random

random.seed(11)


def case(n, q, top, wide=False):
    a = [random.randint(0, top) for _ in range(n)]
    queries = []
    for _ in range(q):
        if wide:
            l, r = random.randint(1, 3), random.randint(n - 2, n)
        else:
            l = random.randint(1, n)
            r = random.randint(l, n)
        queries.append(f"{l} {r}")
    return f"{n} {q}\n{' '.join(map(str, a))}\n" + "\n".join(queries) + "\n"


cases = [case(1, 1, 10), case(5, 5, 10), case(3, 3, 10**9)]
cases += [case(random.randint(2, 50), random.randint(1, 50), random.choice([9, 10**9])) for _ in range(8)]
cases.append(case(20000, 20000, 10**9, wide=True))
print(repr(cases))
