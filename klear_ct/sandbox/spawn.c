/* klearct-spawn: set up one run, start the program, report its exact resource usage.
 *
 * Usage: klearct-spawn REPORT_FD CWD UID GID [LIMIT=VALUE ...] -- PROGRAM [ARGS...]
 *   UID, GID  the user the program runs as, or "-" to keep ours
 *   LIMIT     cpu (seconds; the hard limit is one more), as, stack, fsize (bytes),
 *             nofile, nproc, core
 * The runner starts this helper with posix_spawn (stdin/stdout/stderr already on the
 * run's pipes), which costs far less than forking the Python runner and setting the run
 * up in Python. The helper makes a new session (the runner kills the run by its process
 * group), enters CWD, drops to UID/GID, sets the rlimits, then forks the program.
 *
 * Forked from this tiny process, the program's peak memory is its own: a child of the
 * Python runner would inherit the interpreter's resident pages, and Linux carries that
 * high-water mark into ru_maxrss across exec.
 *
 * The helper runs as the program's uid, so it makes itself non-dumpable: the program can
 * then neither ptrace it nor open its /proc files (its report pipe). exec resets that flag,
 * so the program itself stays an ordinary process.
 *
 * Writes "status maxrss_kb utime_us stime_us\n" to REPORT_FD after the program ends, or
 * "exec errno\n" when the run could not be set up or the program could not start.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int report = -1;

static int fail(void) {
    dprintf(report, "exec %d\n", errno);
    return 126;
}

static int set_limit(const char *setting) {
    static const struct { const char *name; int resource; } names[] = {
        {"cpu", RLIMIT_CPU}, {"as", RLIMIT_AS}, {"stack", RLIMIT_STACK}, {"fsize", RLIMIT_FSIZE},
        {"nofile", RLIMIT_NOFILE}, {"nproc", RLIMIT_NPROC}, {"core", RLIMIT_CORE},
    };
    const char *eq = strchr(setting, '=');
    if (!eq) return errno = EINVAL, -1;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        if (strncmp(setting, names[k].name, (size_t)(eq - setting)) != 0 || names[k].name[eq - setting]) continue;
        rlim_t value = strtoull(eq + 1, NULL, 10);
        /* soft CPU limit sends SIGXCPU, the hard one a second later SIGKILL */
        struct rlimit limit = {value, names[k].resource == RLIMIT_CPU ? value + 1 : value};
        return setrlimit(names[k].resource, &limit);
    }
    return errno = EINVAL, -1;
}

int main(int argc, char **argv) {
    if (argc < 7) return 126;
    report = atoi(argv[1]);
    if (fcntl(report, F_SETFD, FD_CLOEXEC) != 0) return 126; /* the program never sees it */
    if (setsid() < 0 || chdir(argv[2]) != 0) return fail();
    if (strcmp(argv[3], "-") != 0) {
        if (setgroups(0, NULL) != 0 || setgid((gid_t)atoi(argv[4])) != 0 || setuid((uid_t)atoi(argv[3])) != 0)
            return fail();
    }
    int k = 5;
    for (; k < argc && strcmp(argv[k], "--") != 0; k++)
        if (set_limit(argv[k]) != 0) return fail();
    if (k + 1 >= argc) return 126;
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return fail();
    pid_t pid = fork();
    if (pid < 0) return fail();
    if (pid == 0) {
        execv(argv[k + 1], argv + k + 1);
        dprintf(report, "exec %d\n", errno);
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) return 126;
    }
    char line[128];
    int n = snprintf(line, sizeof line, "%d %ld %lld %lld\n", status, ru.ru_maxrss,
                     (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
                     (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec);
    if (write(report, line, n) != n) return 126;
    return 0;
}
