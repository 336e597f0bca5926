// Validator for gen.cpp's format: n in [1, 100]; n integers in [1, 10^9]; a word [a-z]{1,10}.
#include "testlib.h"

int main(int argc, char* argv[]) {
    registerValidation(argc, argv);
    int n = inf.readInt(1, 100, "n");
    inf.readEoln();
    std::vector<int> a = inf.readInts(n, 1, 1000000000, "a");
    inf.readEoln();
    ensuref(static_cast<int>(a.size()) == n, "read %d values, expected %d", static_cast<int>(a.size()), n);
    std::string s = inf.readToken("[a-z]{1,10}", "s");
    ensure(!s.empty());
    inf.readEoln();
    inf.readEof();
    return 0;
}
