# Writes without end (bounded at 64 GB): stopped by the output limit.
import sys

chunk = "y\n" * 32768
for _ in range(10**6):
    sys.stdout.write(chunk)
