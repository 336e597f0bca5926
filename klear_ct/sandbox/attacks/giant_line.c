/* One line that never ends: no newline for the reader to wait for. */
#include <stdio.h>
#include <string.h>

int main(void) {
    static char block[1 << 16];
    memset(block, 'x', sizeof block);
    for (long i = 0; i < (1L << 20); i++) fwrite(block, 1, sizeof block, stdout);
    return 0;
}
