/* "spawn": double fork + setsid, a daemon that ignores hangups and keeps running (30 s at most).
 * "check" (next run of the batch): prints LEAK for any live process of our uid other than
 * ourselves, our ancestors and pid 1. */
#include <ctype.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int stat_of(int pid, char *state, int *ppid, char *comm, size_t comm_size) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *open = strchr(buf, '('), *close = strrchr(buf, ')');
    if (!open || !close) return 0;
    snprintf(comm, comm_size, "%.*s", (int)(close - open - 1), open + 1);
    return sscanf(close + 2, "%c %d", state, ppid) == 2;
}

static int uid_of(int pid) {
    char path[64], line[256];
    int uid = -1;
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "Uid: %d", &uid) == 1) break;
    if (f) fclose(f);
    return uid;
}

int main(void) {
    char mode[16] = "";
    if (scanf("%15s", mode) != 1) return 2;
    if (strcmp(mode, "spawn") == 0) {
        if (fork() == 0) {
            setsid();
            if (fork() == 0) {
                signal(SIGHUP, SIG_IGN);
                signal(SIGTERM, SIG_IGN);
                close(0);
                close(1);
                close(2);
                for (int i = 0; i < 600; i++) usleep(50000);
                _exit(0);
            }
            _exit(0);
        }
        printf("spawned\n");
        return 0;
    }
    int ancestors[64], n = 0;
    char state, comm[64];
    int pid = getpid(), ppid;
    while (pid > 1 && n < 64 && stat_of(pid, &state, &ppid, comm, sizeof comm)) {
        ancestors[n++] = pid;
        pid = ppid;
    }
    int me = getuid(), others = 0;
    DIR *proc = opendir("/proc");
    struct dirent *e;
    while (proc && (e = readdir(proc))) {
        if (!isdigit((unsigned char)e->d_name[0])) continue;
        pid = atoi(e->d_name);
        int known = pid == 1;
        for (int i = 0; i < n; i++) known |= ancestors[i] == pid;
        if (known || uid_of(pid) != me || !stat_of(pid, &state, &ppid, comm, sizeof comm)) continue;
        others++;
        if (state == 'Z')
            printf("zombie %d (%s)\n", pid, comm);  /* dead, but still counts against the process limit */
        else
            printf("LEAK: process %d (%s) state %c survived\n", pid, comm, state);
    }
    if (proc) closedir(proc);
    printf("%d other processes of uid %d\n", others, me);
    return 0;
}
