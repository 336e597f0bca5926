/* Burns 1.25 s of CPU (limit 1 s), prints its answer, then tries to pass as fast: writes a
 * fake "exit 0, no CPU" line into the report pipe of its parent (the klearct-spawn helper),
 * found through /proc, and kills the helper before it can tell the truth. Must stay TLE. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(void) {
    volatile unsigned long long x = 0;
    clock_t start = clock();
    while (clock() - start < CLOCKS_PER_SEC * 5 / 4)
        for (int i = 0; i < 1000000; i++) x += i;
    printf("answer %llu\n", x & 1);
    fflush(stdout);
    int helper = getppid();
    char path[64], args[256] = {0};
    snprintf(path, sizeof path, "/proc/%d/cmdline", helper);
    int fd = open(path, O_RDONLY);
    if (fd < 0) { perror("cmdline"); return 0; }
    ssize_t n = read(fd, args, sizeof args - 1);
    close(fd);
    if (n <= 0) return 0;
    const char *report = args + strlen(args) + 1; /* argv[1]: the report descriptor */
    snprintf(path, sizeof path, "/proc/%d/fd/%s", helper, report);
    fd = open(path, O_WRONLY);
    if (fd < 0) { perror("report pipe"); return 0; }
    dprintf(fd, "0 1000 0 0\n");
    kill(helper, SIGKILL);
    fprintf(stderr, "forged the report\n");
    return 0;
}
