/* "fill": fill every writable directory with 32 MB files until it is full.
 * "check" (next run of the batch): the files must be gone and the space free again. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static const char *dirs[] = {".", "/tmp", "/dev/shm", "/var/tmp"};
#define NDIRS (sizeof dirs / sizeof dirs[0])

static long fill(const char *dir) {
    static char block[1 << 20];
    memset(block, 'd', sizeof block);
    long mb = 0;
    for (int k = 0; k < 64; k++) {  /* 2 GB per directory at most */
        char path[256];
        snprintf(path, sizeof path, "%s/klearct-fill-%d", dir, k);
        FILE *f = fopen(path, "w");
        if (!f) return mb;
        for (int j = 0; j < 32; j++, mb++)
            if (fwrite(block, 1, sizeof block, f) != sizeof block) { fclose(f); return mb; }
        if (fclose(f) != 0) return mb;
    }
    return mb;
}

int main(void) {
    char mode[16] = "";
    if (scanf("%15s", mode) != 1) return 2;
    signal(SIGXFSZ, SIG_IGN);
    if (strcmp(mode, "fill") == 0) {
        for (size_t d = 0; d < NDIRS; d++) printf("%s: %ld MB\n", dirs[d], fill(dirs[d]));
        return 0;
    }
    for (size_t d = 0; d < NDIRS; d++) {
        DIR *dir = opendir(dirs[d]);
        struct dirent *e;
        while (dir && (e = readdir(dir)))
            if (strncmp(e->d_name, "klearct-fill-", 13) == 0) printf("LEAK %s/%s\n", dirs[d], e->d_name);
        if (dir) closedir(dir);
    }
    static char block[1 << 20];
    for (int d = 0; d < 2; d++) {  /* the work dir and /tmp must have room again */
        char path[256];
        snprintf(path, sizeof path, "%s/room", dirs[d]);
        FILE *f = fopen(path, "w");
        int ok = f != NULL;
        for (int j = 0; ok && j < 4; j++) ok = fwrite(block, 1, sizeof block, f) == sizeof block;
        if (f && fclose(f) != 0) ok = 0;
        printf("%s %s\n", ok ? "room in" : "LEAK: no room left in", dirs[d]);
    }
    return 0;
}
