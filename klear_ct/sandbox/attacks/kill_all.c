/* Sends SIGKILL to every process it is allowed to signal (the runner, if it shares our uid). */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    kill(-1, SIGKILL);
    usleep(200000);
    printf("still here\n");
    return 0;
}
