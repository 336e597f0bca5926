/* Grows one page at a time, touching each before asking for the next. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    size_t pages = 0;
    for (; pages < ((size_t)1 << 20); pages++) {  /* 4 GiB at most */
        char *p = malloc(4096);
        p[0] = 1;
        p[4095] = 1;
    }
    printf("%zu\n", pages);
    return 0;
}
