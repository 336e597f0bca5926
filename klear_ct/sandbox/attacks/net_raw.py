# Raw and packet sockets need CAP_NET_RAW: prints RAW_OK for each one it gets (and sends nothing).
import socket

attempts = [
    ("raw icmp", socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP),
    ("raw tcp", socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP),
    ("raw icmpv6", socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6),
    ("packet", socket.AF_PACKET, socket.SOCK_RAW, 0x0300),
]
for name, family, kind, proto in attempts:
    try:
        socket.socket(family, kind, proto).close()
        print("RAW_OK", name)
    except OSError as e:
        print(name, "refused:", e)
