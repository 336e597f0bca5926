# klearct generator: prints a Python list of input strings
import random

random.seed(3)


def case(radii):
    return f"{len(radii)}\n" + "\n".join(radii) + "\n"


cases = [case(["0"]), case(["0.001"]), case(["10000"]), case(["1", "2", "3"])]
cases += [case([f"{random.uniform(0, 100):.3f}" for _ in range(random.randint(1, 40))]) for _ in range(6)]
cases.append(case([f"{random.uniform(0, 10000):.3f}" for _ in range(3000)]))
print(repr(cases))
