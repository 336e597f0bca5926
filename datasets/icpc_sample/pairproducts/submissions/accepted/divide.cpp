#include <cstdio>
int main() {
    long long n, total = 0;
    if (scanf("%lld", &n) != 1) return 0;
    for (long long a = 1; a <= n; a++) total += n / a;
    printf("%lld\n", total);
}
