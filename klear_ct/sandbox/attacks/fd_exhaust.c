/* Opens descriptors until refused, then asks for pipes and sockets on top. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
    int n = 0;
    while (n < 1000000 && open("/dev/null", O_RDONLY) >= 0) n++;
    int p[2];
    int pipe_ok = pipe(p) == 0;
    int sock_ok = socket(AF_UNIX, SOCK_STREAM, 0) >= 0;
    printf("%d descriptors, pipe %d, socket %d\n", n, pipe_ok, sock_ok);
    return 0;
}
