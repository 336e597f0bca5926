/* Does its 1.25 s of work (limit 1 s) in a child it never waits for: the CPU time of a
 * process nobody reaps must still count. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(void) {
    int p[2];
    if (pipe(p) != 0) return 1;
    if (fork() == 0) {
        volatile unsigned long long x = 0;
        clock_t start = clock();
        while (clock() - start < CLOCKS_PER_SEC * 5 / 4)
            for (int i = 0; i < 1000000; i++) x += i;
        unsigned long long answer = x & 1;
        if (write(p[1], &answer, sizeof answer) != sizeof answer) _exit(1);
        _exit(0);
    }
    unsigned long long answer = 0;
    if (read(p[0], &answer, sizeof answer) != sizeof answer) return 1;
    printf("answer %llu\n", answer);
    return 0; /* no wait(): the child's CPU time never reaches our rusage */
}
