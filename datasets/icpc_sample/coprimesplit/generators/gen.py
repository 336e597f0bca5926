# klearct generator: prints a Python list of input strings
import random

random.seed(8)


def case(values):
    return f"{len(values)}\n" + "\n".join(map(str, values)) + "\n"


cases = [case([3]), case([4]), case([10**9]), case([10**9 - 1, 999999937]), case([1007, 5007, 8])]
cases += [case([random.randint(3, 1000) for _ in range(random.randint(1, 20))]) for _ in range(6)]
cases.append(case([random.randint(10**8, 10**9) for _ in range(300)]))
print(repr(cases))
