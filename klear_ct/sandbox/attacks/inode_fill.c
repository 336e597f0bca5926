/* "fill": create empty files until no inode is left (work dir and /tmp).
 * "check" (next run): none may be left, and creating files must work again. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *dirs[] = {".", "/tmp"};

int main(void) {
    char mode[16] = "", path[256];
    if (scanf("%15s", mode) != 1) return 2;
    if (strcmp(mode, "fill") == 0) {
        for (int d = 0; d < 2; d++) {
            long n = 0;
            for (; n < 300000; n++) {
                snprintf(path, sizeof path, "%s/i%ld", dirs[d], n);
                int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
                if (fd < 0) break;
                close(fd);
            }
            printf("%s: %ld files\n", dirs[d], n);
        }
        return 0;
    }
    for (int d = 0; d < 2; d++) {
        long leftover = 0;
        DIR *dir = opendir(dirs[d]);
        struct dirent *e;
        while (dir && (e = readdir(dir)))
            if (e->d_name[0] == 'i' && e->d_name[1] >= '0' && e->d_name[1] <= '9') leftover++;
        if (dir) closedir(dir);
        if (leftover) printf("LEAK: %ld files left in %s\n", leftover, dirs[d]);
        for (int k = 0; k < 100; k++) {
            snprintf(path, sizeof path, "%s/new%d", dirs[d], k);
            int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
            if (fd < 0) { printf("LEAK: cannot create files in %s\n", dirs[d]); break; }
            close(fd);
        }
    }
    printf("checked\n");
    return 0;
}
