// Four threads spinning: the CPU time of every thread counts.
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

int main() {
    std::atomic<unsigned long long> total{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; t++)
        threads.emplace_back([&total] {
            volatile unsigned long long x = 0;
            for (unsigned long long i = 0; i < (1ULL << 42); i++) x += i;
            total += x;
        });
    for (auto &t : threads) t.join();
    std::printf("%llu\n", total.load());
}
