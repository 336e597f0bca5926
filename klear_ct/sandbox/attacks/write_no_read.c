/* Given a large stdin it never reads, writes 16 MB and exits: the runner must not deadlock
 * (it feeds stdin and drains stdout at the same time) nor fail on the closed stdin. */
#include <stdio.h>
#include <string.h>

int main(void) {
    static char block[1 << 16];
    memset(block, 'w', sizeof block);
    block[sizeof block - 1] = '\n';
    for (int i = 0; i < 256; i++) fwrite(block, 1, sizeof block, stdout);
    return 0;
}
