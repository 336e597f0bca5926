// new of a 1 GiB array: std::bad_alloc under the limit.
#include <cstddef>
#include <cstdio>

int main() {
    const std::size_t n = std::size_t(1) << 28;
    int *a = new int[n];
    for (std::size_t i = 0; i < n; i += 1024) a[i] = int(i);
    std::printf("%d\n", a[n - 1024]);
}
