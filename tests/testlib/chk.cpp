// Checker for "print the sum of the array, then its average" (average within 1e-6).
#include "testlib.h"

int main(int argc, char* argv[]) {
    registerTestlibCmd(argc, argv);
    int n = inf.readInt();
    long long total = 0;
    for (int i = 0; i < n; ++i) total += inf.readLong();
    inf.readToken();

    long long jury_sum = ans.readLong();
    double jury_avg = ans.readDouble();
    if (jury_sum != total) quitf(_fail, "jury sum %lld differs from the real sum %lld", jury_sum, total);

    long long sum = ouf.readLong(-1000000000000000000LL, 1000000000000000000LL, "sum");
    double avg = ouf.readDouble();
    if (sum != jury_sum) quitf(_wa, "expected sum %lld, found %lld", jury_sum, sum);
    if (!doubleCompare(jury_avg, avg, 1e-6))
        quitf(_wa, "the %d%s value: expected %.9f, found %.9f", 2, englishEnding(2).c_str(), jury_avg, avg);
    quitf(_ok, "sum %lld, average %s", sum, vtos(avg).c_str());
}
