# klearct generator: prints a Python list of input strings
import random

random.seed(5)


def case(values):
    return f"{len(values)}\n" + "\n".join(map(str, values)) + "\n"


big = 10**18
cases = [case([0]), case([-1]), case([1, -2, 3, -4]), case([big, -big, big - 1, -big + 1])]
cases += [case([random.randint(-100, 100) for _ in range(random.randint(1, 30))]) for _ in range(6)]
cases.append(case([random.randint(-big, big) for _ in range(5000)]))
print(repr(cases))
