// Generator: n, then n integers in [1, maxv], then a lowercase word.
// Usage: gen -n=<max n> -maxv <max value> [-sorted] <seed>
#include "testlib.h"
#include <algorithm>
#include <vector>

int main(int argc, char* argv[]) {
    registerGen(argc, argv, 1);
    int max_n = opt<int>("n");
    long long maxv = opt<long long>("maxv", 1000LL);
    bool sorted = has_opt("sorted") && opt<bool>("sorted");

    int n = rnd.next(1, max_n);
    std::vector<long long> a;
    for (int i = 0; i < n; ++i) {
        switch (rnd.next(3)) {
            case 0: a.push_back(rnd.next(1LL, maxv)); break;
            case 1: a.push_back(rnd.wnext(1LL, maxv, 3)); break;
            default: a.push_back(1 + rnd.wnext(maxv, -2)); break;
        }
    }
    if (n >= 2) {  // make sure some structure comes from perm / distinct / any / shuffle
        std::vector<int> p = rnd.perm(n, 1);
        a[0] = std::min<long long>(maxv, p[0]);
        std::vector<long long> d = rnd.distinct(2, 1LL, maxv);
        a[1] = rnd.any(d);
    }
    shuffle(a.begin(), a.end());
    if (sorted) std::sort(a.begin(), a.end());

    println(n);
    println(a);
    println(rnd.next("[a-z]{1,%d}", 10));
    return 0;
}
