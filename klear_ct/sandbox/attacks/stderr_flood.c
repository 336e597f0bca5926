/* Floods stderr, which the runner keeps only the tail of. */
#include <stdio.h>
#include <string.h>

int main(void) {
    static char block[1 << 16];
    memset(block, 'e', sizeof block);
    block[sizeof block - 1] = '\n';
    for (long i = 0; i < (1L << 20); i++) fwrite(block, 1, sizeof block, stderr);
    return 0;
}
