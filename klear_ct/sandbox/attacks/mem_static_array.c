/* A 1 GiB global array: the binary cannot even be loaded under the limit. */
#include <stdio.h>

static char a[1 << 30];

int main(void) {
    for (long i = 0; i < (1L << 30); i += 4096) a[i] = 1;
    printf("%d\n", a[12288]);
    return 0;
}
