# Opens a FIFO nobody will ever write to (its own stdin is closed, so it blocks here instead).
import os
import select

os.mkfifo("fifo")
fd = os.open("fifo", os.O_RDONLY)  # blocks until a writer appears: never
select.select([fd], [], [], 60)
print("unblocked")
