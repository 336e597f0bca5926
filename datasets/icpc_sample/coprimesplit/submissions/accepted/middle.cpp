#include <cstdio>
#include <numeric>
int main() {
    int t;
    scanf("%d", &t);
    while (t--) {
        long long n;
        scanf("%lld", &n);
        long long a = n / 2;
        while (std::gcd(a, n - a) != 1) a--;  // a pair near the middle: another valid answer
        printf("%lld %lld\n", a, n - a);
    }
}
