/* A busy loop that would run for hours: stopped by the CPU time limit. */
#include <stdio.h>

int main(void) {
    volatile unsigned long long x = 0;
    for (unsigned long long i = 0; i < (1ULL << 42); i++) x += i;
    printf("%llu\n", x);
    return 0;
}
