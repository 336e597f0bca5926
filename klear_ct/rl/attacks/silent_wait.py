# step 2 of 2: reads nothing, prints nothing, waits a little: right only if someone answers for it
import time

time.sleep(0.5)
