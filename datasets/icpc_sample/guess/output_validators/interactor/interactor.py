import sys

x = int(open(sys.argv[1]).read())
for _ in range(10):
    guess = int(input())
    if guess == x:
        print("=", flush=True)
        sys.exit(42)
    print("<" if x < guess else ">", flush=True)
sys.exit(43)
