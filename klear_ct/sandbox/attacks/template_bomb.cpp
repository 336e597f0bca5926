#include <cstddef>
#include <utility>
template <std::size_t... I> constexpr std::size_t sum(std::index_sequence<I...>) { return (I + ... + 0); }
int main() { return int(sum(std::make_index_sequence<268435000>{}) & 1); }
