/* "bomb": every process forks as fast as it can, then spins.
 * "after": the next run of the same batch must still be able to start processes;
 * it prints NOFORK when it cannot (stray processes or unreaped zombies left behind). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    char mode[16] = "";
    if (scanf("%15s", mode) != 1) return 2;
    if (strcmp(mode, "bomb") == 0) {
        for (int i = 0; i < 100000; i++) fork();
        volatile unsigned long long x = 0;
        for (unsigned long long i = 0; i < (1ULL << 42); i++) x += i;
        return 0;
    }
    for (int k = 0; k < 16; k++) {
        pid_t pid = fork();
        if (pid < 0) {
            printf("NOFORK after %d children: %s\n", k, strerror(errno));
            return 0;
        }
        if (pid == 0) _exit(0);
        waitpid(pid, NULL, 0);
    }
    printf("forked 16 children\n");
    return 0;
}
