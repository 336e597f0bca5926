/* Four processes of 100 MB each: every one under the 128 MB limit, together 400 MB. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    int ready[2];
    if (pipe(ready) != 0) return 1;
    for (int k = 0; k < 4; k++) {
        if (fork() == 0) {
            size_t n = (size_t)100 << 20;
            char *p = malloc(n);
            if (!p) { perror("malloc"); _exit(1); }
            for (size_t i = 0; i < n; i += 4096) p[i] = 1;
            if (write(ready[1], "x", 1) != 1) _exit(1);
            usleep(300000);  /* stay resident while the others are too */
            _exit(p[4096] == 1 ? 0 : 1);
        }
    }
    char c;
    int resident = 0;
    for (int k = 0; k < 4; k++) resident += read(ready[0], &c, 1) == 1;
    while (wait(NULL) > 0) {}
    printf("%d processes held 100 MB each at once\n", resident);
    return 0;
}
