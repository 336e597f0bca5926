// Every instantiation needs two more of the level below, each a distinct type: 2^N types.
template <int N, int K> struct Bomb {
    using Left = Bomb<N - 1, 2 * K>;
    using Right = Bomb<N - 1, 2 * K + 1>;
    static constexpr long long value = Left::value + Right::value + K;
};
template <int K> struct Bomb<0, K> {
    static constexpr long long value = K;
};
int main() { return int(Bomb<60, 1>::value & 1); }
