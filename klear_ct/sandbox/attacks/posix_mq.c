/* "write": a POSIX message queue holding a message; "read" (next run): LEAK if it survived. */
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    char mode[16] = "";
    if (scanf("%15s", mode) != 1) return 2;
    if (strcmp(mode, "write") == 0) {
        struct mq_attr attr = {.mq_maxmsg = 4, .mq_msgsize = 64};
        mqd_t q = mq_open("/klearct-leak", O_CREAT | O_RDWR, 0666, &attr);
        if (q == (mqd_t)-1) { perror("mq_open"); return 0; }
        mq_send(q, "left by an earlier run", 23, 0);
        printf("queue created\n");
        return 0;
    }
    mqd_t q = mq_open("/klearct-leak", O_RDONLY | O_NONBLOCK);
    if (q != (mqd_t)-1) {
        char buf[64] = "";
        mq_receive(q, buf, sizeof buf, NULL);
        printf("LEAK: message queue survived: %s\n", buf);
        mq_unlink("/klearct-leak");
    }
    printf("checked\n");
    return 0;
}
