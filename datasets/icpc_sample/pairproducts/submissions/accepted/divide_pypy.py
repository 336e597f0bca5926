#!/usr/bin/env pypy3
import sys

n = int(sys.stdin.readline())
print(sum(n // a for a in range(1, n + 1)))
