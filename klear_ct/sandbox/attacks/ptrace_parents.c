/* Tries to ptrace every ancestor (the runner's helper, the runner) and pid 1. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static int parent_of(int pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    int ppid = 0;
    if (!p || sscanf(p + 2, "%*c %d", &ppid) != 1) return 0;
    return ppid;
}

int main(void) {
    int targets[16], n = 0;
    for (int pid = getppid(); pid > 1 && n < 15; pid = parent_of(pid)) targets[n++] = pid;
    targets[n++] = 1;
    for (int i = 0; i < n; i++) {
        if (ptrace(PTRACE_ATTACH, targets[i], 0, 0) == 0) {
            printf("ATTACHED to %d\n", targets[i]);
            waitpid(targets[i], NULL, __WALL);
            ptrace(PTRACE_DETACH, targets[i], 0, 0);
        } else {
            printf("attach %d: %s\n", targets[i], strerror(errno));
        }
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/mem", targets[i]);
        FILE *mem = fopen(path, "r");
        if (mem) {
            printf("ATTACHED: opened %s\n", path);
            fclose(mem);
        }
    }
    return 0;
}
