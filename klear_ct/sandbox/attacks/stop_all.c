/* Sends SIGSTOP to every process it is allowed to signal, then exits: a stopped runner
 * never answers, and only the host's watchdog ends the request. */
#include <signal.h>
#include <stdio.h>

int main(void) {
    kill(-1, SIGSTOP);
    printf("stopped everything I could\n");
    return 0;
}
