# Uses no CPU at all: only the wall clock can stop it.
import time

time.sleep(60)
print("woke up")
