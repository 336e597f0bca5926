// Exercises the rest of the API; prints "ALL OK" at the end (any failure exits 3).
// Usage: api -k=5 -name hello -flag -x=2.5 -big=1e5 7 positional
#include "testlib.h"
#include <set>

int main(int argc, char* argv[]) {
    registerGen(argc, argv, 1);

    // options
    ensure(opt<int>("k") == 5);
    ensure(opt("name") == "hello");
    ensure(opt<bool>("flag"));
    ensure(opt<double>("x") == 2.5);
    ensure(opt<long long>("big") == 100000);
    ensure(opt<int>("missing", 42) == 42);
    ensure(opt("missing", "dflt") == "dflt");
    ensure(has_opt("k") && !has_opt("missing"));
    ensure(opt<int>(argc - 2) == 7);
    ensure(opt<std::string>(argc - 1) == "positional");

    // numbers
    for (int i = 0; i < 20000; ++i) {
        int a = rnd.next(10);
        ensure(0 <= a && a < 10);
        long long b = rnd.next(-5LL, 5LL);
        ensure(-5 <= b && b <= 5);
        unsigned c = rnd.next(3u);
        ensure(c < 3u);
        double d = rnd.next(1.5, 2.5);
        ensure(1.5 <= d && d < 2.5);
        double e = rnd.next(4.0);
        ensure(0 <= e && e < 4.0);
        int w = rnd.wnext(100, 5), v = rnd.wnext(100, -50);
        ensure(0 <= w && w < 100 && 0 <= v && v < 100);
        long long z = rnd.wnext(10LL, 20LL, 2);
        ensure(10 <= z && z <= 20);
        size_t sz = rnd.next(std::vector<int>(7).size());
        ensure(sz < 7);
    }
    ensure(rnd.next(LLONG_MIN, LLONG_MAX) != rnd.next(LLONG_MIN, LLONG_MAX));
    std::set<int> seen;
    for (int i = 0; i < 1000; ++i) seen.insert(rnd.next(1, 6));
    ensuref(seen.size() == 6 && *seen.begin() == 1 && *seen.rbegin() == 6, "rnd.next(1, 6) misses values");
    long long big_max = 0;
    for (int i = 0; i < 1000; ++i) big_max = std::max(big_max, rnd.wnext(1000000000000LL, 10));
    ensure(big_max > 900000000000LL);

    // strings and patterns
    for (int i = 0; i < 2000; ++i) {
        std::string s = rnd.next("[a-c]{2,4}x(ab|cd)?[0-9]{%d}", 3);
        ensuref(pattern("[a-c]{2,4}x(ab|cd)?[0-9]{3}").matches(s), "bad pattern string %s", s.c_str());
    }
    ensure(pattern("[a-z]+").matches("abc") && !pattern("[a-z]+").matches("") && !pattern("[a-z]+").matches("aB"));
    ensure(pattern("(0|[1-9][0-9]*)").matches("120") && !pattern("(0|[1-9][0-9]*)").matches("012"));
    ensure(pattern("[^ ]{1,3}").matches("a#b") && !pattern("[^ ]{1,3}").matches("a b"));
    ensure(pattern("a\\.b").matches("a.b") && !pattern("a\\.b").matches("axb"));
    ensure(pattern("([ab]{2}){2,3}").matches("abba") && !pattern("([ab]{2}){2,3}").matches("abbab"));
    ensure(rnd.next("[a-z]{100000}").size() == 100000);
    ensure(pattern("[a-z]{1,100000}").matches(std::string(99999, 'q')));

    // containers
    std::vector<int> p = rnd.perm(10);
    std::vector<int> sorted_p = p;
    std::sort(sorted_p.begin(), sorted_p.end());
    for (int i = 0; i < 10; ++i) ensure(sorted_p[i] == i);
    std::vector<long long> q = rnd.perm(5, 1LL);
    ensure(*std::min_element(q.begin(), q.end()) == 1 && *std::max_element(q.begin(), q.end()) == 5);
    std::vector<int> d = rnd.distinct(50, 1, 60);
    ensure(std::set<int>(d.begin(), d.end()).size() == 50);
    for (int x : d) ensure(1 <= x && x <= 60);
    std::vector<long long> d2 = rnd.distinct(1000, 1000000000000LL);
    ensure(std::set<long long>(d2.begin(), d2.end()).size() == 1000);
    std::vector<int> part = rnd.partition(10, 100);
    ensure(part.size() == 10 && std::accumulate(part.begin(), part.end(), 0) == 100);
    for (int x : part) ensure(x >= 1);
    std::vector<int> part0 = rnd.partition(5, 3, 0);
    ensure(std::accumulate(part0.begin(), part0.end(), 0) == 3);
    std::vector<int> part2 = rnd.partition(4, 20, 5);
    for (int x : part2) ensure(x == 5);
    std::set<std::string> names = {"a", "b", "c"};
    ensure(names.count(rnd.any(names)) == 1);
    std::vector<int> sh = {1, 2, 3, 4, 5};
    shuffle(sh.begin(), sh.end());
    ensure(std::accumulate(sh.begin(), sh.end(), 0) == 15);

    // helpers
    ensure(format("%d-%s", 5, "x") == "5-x");
    ensure(englishEnding(1) == "st" && englishEnding(2) == "nd" && englishEnding(3) == "rd");
    ensure(englishEnding(11) == "th" && englishEnding(12) == "th" && englishEnding(21) == "st");
    ensure(upperCase("abC1") == "ABC1" && lowerCase("ABc1") == "abc1");
    ensure(vtos(12) == "12" && toString(-3LL) == "-3");
    ensure(doubleCompare(1.0, 1.0 + 1e-7, 1e-6) && !doubleCompare(1.0, 1.0 + 1e-5, 1e-6));
    ensure(doubleCompare(1e9, 1e9 + 100, 1e-6) && compareDoubles(0.0, 1e-7, 1e-6));
    ensure(trim("  x y ") == "x y" && split("a,,b", ',').size() == 3 && tokenize("a,,b", ',').size() == 2);

    // println
    std::vector<int> v = {1, 2, 3};
    println(1, "two", 3.5, 'c');
    println(v);
    println(v.begin(), v.end());
    println("tail", v);
    println("ALL OK");
    return 0;
}
