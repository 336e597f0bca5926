# sleeps without using CPU, hoping a CPU-time limit alone lets it hold a slot
import time

time.sleep(30)
