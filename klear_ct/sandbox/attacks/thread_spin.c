/* Four threads spinning at once: the CPU time of every thread counts.
 * (Small explicit stacks: the default thread stack is as large as the stack rlimit.) */
#include <pthread.h>
#include <stdio.h>

static void *spin(void *arg) {
    volatile unsigned long long x = 0;
    for (unsigned long long i = 0; i < (1ULL << 42); i++) x += i;
    *(unsigned long long *)arg = x;
    return NULL;
}

int main(void) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    pthread_t threads[4];
    unsigned long long results[4];
    for (int t = 0; t < 4; t++)
        if (pthread_create(&threads[t], &attr, spin, &results[t]) != 0) {
            perror("pthread_create");
            return 1;
        }
    for (int t = 0; t < 4; t++) pthread_join(threads[t], NULL);
    printf("%llu\n", results[0] + results[1] + results[2] + results[3]);
    return 0;
}
