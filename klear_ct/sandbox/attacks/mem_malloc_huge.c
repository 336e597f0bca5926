/* 1 GiB at once, then touched page by page, with no NULL check (like most contest code). */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    size_t n = (size_t)1 << 30;
    char *p = malloc(n);
    for (size_t i = 0; i < n; i += 4096) p[i] = 1;
    printf("%d\n", p[n - 1]);
    return 0;
}
