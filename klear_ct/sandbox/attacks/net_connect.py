# stdin: lines "HOST PORT" (only the harness's own listener on this machine). Prints
# CONNECTED for every TCP connection that got through; also sends one UDP datagram each.
import socket
import sys

for line in sys.stdin.read().splitlines():
    host, port = line.split()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.create_connection((host, int(port)), timeout=0.5) as s:
            s.sendall(b"hello from the sandbox\n")
            print("CONNECTED", host, port)
    except OSError as e:
        print("tcp", host, port, "refused:", e)
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.sendto(b"hello", (host, int(port)))
    except OSError as e:
        print("udp", host, port, "refused:", e)
