# klearct generator: prints a Python list of input strings
import random

random.seed(16)
cases = [f"{n}\n" for n in (1, 2, 3, 4, 36, 99, 100)]
cases += [f"{random.randint(5, 1000)}\n" for _ in range(8)]
cases.append(f"{2 * 10**6 - 1}\n")  # about the largest n: only an O(n) solution is in time
print(repr(cases))
