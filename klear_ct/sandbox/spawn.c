/* klearct-spawn: start a program and report its exact resource usage.
 *
 * The runner is a Python interpreter; a child forked from it inherits the
 * interpreter's resident pages, and Linux carries that high-water mark into
 * ru_maxrss across exec. Forked from this tiny process instead, the program's
 * peak memory is its own. Usage: klearct-spawn REPORT_FD PROGRAM [ARGS...]
 * Writes "status maxrss_kb utime_us stime_us\n" to REPORT_FD after the program
 * ends, or "exec errno\n" when it could not start. Limits, session and user are
 * set by the runner before it execs this helper and are inherited.
 *
 * The helper runs as the program's uid, so it makes itself non-dumpable: the
 * program can then neither ptrace it nor open its /proc files (its report pipe).
 * exec resets that flag, so the program itself stays an ordinary process.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) return 126;
    int report = atoi(argv[1]);
    char line[128];
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return 126;
    fcntl(report, F_SETFD, FD_CLOEXEC); /* the program never sees it */
    pid_t pid = fork();
    if (pid < 0) {
        dprintf(report, "exec %d\n", errno);
        return 126;
    }
    if (pid == 0) {
        execv(argv[2], argv + 2);
        dprintf(report, "exec %d\n", errno);
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) return 126;
    }
    int n = snprintf(line, sizeof line, "%d %ld %lld %lld\n", status, ru.ru_maxrss,
                     (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
                     (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec);
    if (write(report, line, n) != n) return 126;
    return 0;
}
