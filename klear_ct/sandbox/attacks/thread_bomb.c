/* "bomb": start sleeping threads until the system refuses, then wait forever.
 * "after": the next run must still be able to start threads (prints NOTHREAD if not). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void *idle(void *arg) {
    (void)arg;
    sleep(60);
    return NULL;
}

int main(void) {
    char mode[16] = "";
    if (scanf("%15s", mode) != 1) return 2;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    pthread_t t;
    if (strcmp(mode, "bomb") == 0) {
        int started = 0;
        while (started < 100000 && pthread_create(&t, &attr, idle, NULL) == 0) started++;
        printf("%d threads\n", started);
        fflush(stdout);
        sleep(60);
        return 0;
    }
    for (int k = 0; k < 8; k++) {
        int err = pthread_create(&t, &attr, idle, NULL);
        if (err) {
            printf("NOTHREAD after %d threads: %s\n", k, strerror(err));
            return 0;
        }
        pthread_detach(t);
    }
    printf("started 8 threads\n");
    return 0;
}
