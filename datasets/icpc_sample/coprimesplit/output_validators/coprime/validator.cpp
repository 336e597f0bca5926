// ICPC output validator: validator input answer feedback_dir < team_output; exit 42 accept, 43 reject
#include <cstdio>
#include <fstream>
#include <iostream>
#include <numeric>
#include <string>

static std::string feedback_dir;

static int reject(const std::string& why) {
    std::ofstream(feedback_dir + "judgemessage.txt") << why << "\n";
    return 43;
}

int main(int argc, char** argv) {
    if (argc < 4) return 1;
    feedback_dir = argv[3];
    std::ifstream input(argv[1]);
    int t;
    input >> t;
    for (int k = 1; k <= t; k++) {
        long long n, a, b;
        input >> n;
        if (!(std::cin >> a >> b)) return reject("line " + std::to_string(k) + ": expected two integers");
        if (a < 1 || b < 1) return reject("line " + std::to_string(k) + ": a and b must be positive");
        if (a + b != n) return reject("line " + std::to_string(k) + ": a + b != n");
        if (std::gcd(a, b) != 1) return reject("line " + std::to_string(k) + ": gcd(a, b) != 1");
    }
    std::string extra;
    if (std::cin >> extra) return reject("trailing output");
    return 42;
}
