// testlib.h -- klearct's own implementation of the commonly used testlib API.
//
// Written from scratch for klearct. It is source-compatible with the subset of
// testlib (generators, validators, checkers) that typical generator / validator /
// checker programs use, so such programs compile and behave as expected:
//
//   generator  registerGen(argc, argv, 1); rnd.next(...), rnd.wnext(...), rnd.any(...),
//              rnd.perm(...), rnd.distinct(...), rnd.partition(...), shuffle(first, last),
//              opt<T>(name[, default]) / opt<T>(index) / has_opt(name), println(...)
//   validator  registerValidation(argc, argv); inf.readInt(lo, hi, "n"), readSpace(),
//              readEoln(), readEof(), ... (strict: no whitespace is skipped)
//   checker    registerTestlibCmd(argc, argv)  (argv: input output answer [result]);
//              inf / ouf / ans (whitespace-separated tokens), quitf(_ok | _wa | _pe | _fail, ...)
//
// Exit codes: _ok 0, _wa 1, _pe 2, _fail 3 (a validator rejecting its input exits 3),
// _points 7, _pc(n) 16 + n. The verdict line ("ok ...", "wrong answer ...",
// "wrong output format ...", "FAIL ...") goes to stderr (and to argv[4] if given).
// The random generator is our own (xoshiro256**), seeded from a hash of all arguments:
// outputs are deterministic for the same arguments but differ from original testlib's.
#ifndef KLEARCT_TESTLIB_H
#define KLEARCT_TESTLIB_H
#define _TESTLIB_H_

#include <algorithm>
#include <array>
#include <bitset>
#include <cctype>
#include <climits>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

#if defined(__GNUC__)
#define TESTLIB_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define TESTLIB_PRINTF(fmt_index, first_arg)
#endif

enum TResult {
    _ok = 0,
    _wa = 1,
    _pe = 2,
    _fail = 3,
    _dirt = 4,             // extra data in the output: reported as a format error
    _points = 5,
    _unexpected_eof = 8,   // output ended too early: reported as a format error
    _partially = 16
};
#define _pc(exitCode) (TResult(_partially + (exitCode)))

enum TMode { _input, _output, _answer };
enum TTestlibMode { _unknown, _checker, _validator, _generator, _interactor, _scorer };

// ---------------------------------------------------------------------------------
// Small helpers (formatting, strings)
// ---------------------------------------------------------------------------------

namespace testlib_detail {

inline std::string vformat(const char* fmt, va_list ap) {
    va_list copy;
    va_copy(copy, ap);
    int n = std::vsnprintf(nullptr, 0, fmt, copy);
    va_end(copy);
    if (n < 0) return fmt;
    std::vector<char> buf(static_cast<size_t>(n) + 1);
    std::vsnprintf(buf.data(), buf.size(), fmt, ap);
    return std::string(buf.data(), static_cast<size_t>(n));
}

// Declares std::string `var` holding the printf-style formatting of `fmt` and the "..." after it.
#define TESTLIB_VFORMAT(var, fmt) \
    std::string var;              \
    do { va_list ap_; va_start(ap_, fmt); var = testlib_detail::vformat(fmt, ap_); va_end(ap_); } while (0)

// Plain data only: it must stay usable while static objects are being destroyed.
struct State {
    TTestlibMode mode;
    int quit_count;
    int read_eof_count;
    const char* result_file;
};
inline State state = {_unknown, 0, 0, nullptr};

}  // namespace testlib_detail

inline std::string format(const char* fmt, ...) TESTLIB_PRINTF(1, 2);
inline std::string format(const char* fmt, ...) {
    TESTLIB_VFORMAT(s, fmt);
    return s;
}

template <typename T>
std::string toString(const T& t) {
    std::ostringstream ss;
    ss << t;
    return ss.str();
}

template <typename T>
std::string vtos(const T& t) {
    return toString(t);
}

inline std::string upperCase(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

inline std::string lowerCase(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

inline std::string trim(const std::string& s) {
    size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return s.substr(b, e - b);
}

// Shortens long strings for messages: the first 30 and last 31 characters.
inline std::string compress(const std::string& s) {
    if (s.size() <= 64) return s;
    return s.substr(0, 30) + "..." + s.substr(s.size() - 31);
}

// The English ordinal suffix of x: "st", "nd", "rd" or "th" (used as "%d%s").
inline std::string englishEnding(int x) {
    x = std::abs(x) % 100;
    if (x / 10 == 1) return "th";
    if (x % 10 == 1) return "st";
    if (x % 10 == 2) return "nd";
    if (x % 10 == 3) return "rd";
    return "th";
}

inline std::vector<std::string> split(const std::string& s, char separator) {
    std::vector<std::string> parts(1);
    for (char c : s) {
        if (c == separator) parts.emplace_back();
        else parts.back() += c;
    }
    return parts;
}

inline std::vector<std::string> tokenize(const std::string& s, char separator) {
    std::vector<std::string> parts;
    for (std::string& p : split(s, separator))
        if (!p.empty()) parts.push_back(std::move(p));
    return parts;
}

// True when result is within MAX_DOUBLE_ERROR of expected, absolutely or relatively.
inline bool doubleCompare(double expected, double result, double MAX_DOUBLE_ERROR) {
    if (std::isnan(expected)) return std::isnan(result);
    if (std::isnan(result)) return false;
    if (std::isinf(expected) || std::isinf(result)) return expected == result;
    double diff = std::fabs(result - expected);
    return diff <= MAX_DOUBLE_ERROR + 1e-15 || diff <= MAX_DOUBLE_ERROR * std::fabs(expected) + 1e-15;
}

inline bool compareDoubles(double expected, double result, double MAX_DOUBLE_ERROR) {
    return doubleCompare(expected, result, MAX_DOUBLE_ERROR);
}

// The smaller of the absolute and the relative error.
inline double doubleDelta(double expected, double result) {
    double absolute = std::fabs(result - expected);
    if (std::fabs(expected) > 1e-9) return std::min(absolute, absolute / std::fabs(expected));
    return absolute;
}

// ---------------------------------------------------------------------------------
// Ending the program
// ---------------------------------------------------------------------------------

inline void setName(const char* /*fmt*/, ...) {}

[[noreturn]] inline void quit(TResult result, const std::string& msg);

[[noreturn]] inline void quit(TResult result, const char* msg) { quit(result, std::string(msg ? msg : "")); }

[[noreturn]] inline void quitf(TResult result, const char* fmt, ...) TESTLIB_PRINTF(2, 3);
[[noreturn]] inline void quitf(TResult result, const char* fmt, ...) {
    TESTLIB_VFORMAT(msg, fmt);
    quit(result, msg);
}

inline void quitif(bool condition, TResult result, const char* fmt, ...) TESTLIB_PRINTF(3, 4);
inline void quitif(bool condition, TResult result, const char* fmt, ...) {
    if (!condition) return;
    TESTLIB_VFORMAT(msg, fmt);
    quit(result, msg);
}

[[noreturn]] inline void quitp(double points, const char* fmt, ...) TESTLIB_PRINTF(2, 3);
[[noreturn]] inline void quitp(double points, const char* fmt, ...) {
    TESTLIB_VFORMAT(msg, fmt);
    std::string text = format("%.10g", points);
    quit(_points, msg.empty() ? text : text + " " + msg);
}

[[noreturn]] inline void quitp(double points) { quitp(points, "%s", ""); }

inline void ensuref(bool cond, const char* fmt, ...) TESTLIB_PRINTF(2, 3);
inline void ensuref(bool cond, const char* fmt, ...) {
    if (cond) return;
    TESTLIB_VFORMAT(msg, fmt);
    quit(_fail, msg);
}

namespace testlib_detail {
template <typename T>
constexpr bool negative(T x) {
    if constexpr (std::is_signed<T>::value) return x < 0;
    else return (void)x, false;
}

inline void do_ensure(bool cond, const char* text) {
    if (!cond) quit(_fail, std::string("Condition failed: \"") + text + "\"");
}
}  // namespace testlib_detail

#define ensure(cond) ::testlib_detail::do_ensure(static_cast<bool>(cond), #cond)

// ---------------------------------------------------------------------------------
// Patterns: a small regular-expression subset, for rnd.next("[a-z]{1,10}") and for
// readToken/readLine(pattern). Supports literals, \x escapes, ., [a-z0-9_] classes
// with ranges and ^ negation, ( ) groups, | alternation, and ? * + {n} {n,m} {n,}.
// ---------------------------------------------------------------------------------

class random_t;

class pattern {
public:
    pattern(std::string s = "") : src_(std::move(s)) {
        at_ = 0;
        parse_alt();
        if (at_ != src_.size()) bad("unexpected ')'");
    }

    std::string next(random_t& rnd) const;

    bool matches(const std::string& s) const {
        std::vector<size_t> ends = step_alt(0, {0}, s);
        return std::binary_search(ends.begin(), ends.end(), s.size());
    }

    std::string src() const { return src_; }

private:
    struct Item {
        int group = -1;            // index into groups_, or -1 for a character set
        std::bitset<256> set;      // the characters an atom matches
        std::string gen_chars;     // the characters generated for it
        int lo = 1, hi = 1;        // repetition; hi < 0 means unbounded
    };
    using Seq = std::vector<Item>;
    using Alt = std::vector<Seq>;
    using Positions = std::vector<size_t>;

    std::string src_;
    std::vector<Alt> groups_;  // groups_[0] is the whole pattern
    size_t at_ = 0;

    [[noreturn]] void bad(const char* why) const {
        quit(_fail, "Invalid pattern \"" + src_ + "\": " + why);
    }
    bool more() const { return at_ < src_.size(); }
    char peek() const { return src_[at_]; }

    int parse_alt() {
        int idx = static_cast<int>(groups_.size());
        groups_.emplace_back();
        Alt alt;
        alt.push_back(parse_seq());
        while (more() && peek() == '|') {
            ++at_;
            alt.push_back(parse_seq());
        }
        groups_[idx] = std::move(alt);
        return idx;
    }

    Seq parse_seq() {
        Seq seq;
        while (more() && peek() != '|' && peek() != ')') {
            Item item = parse_atom();
            parse_quantifier(item);
            seq.push_back(std::move(item));
        }
        return seq;
    }

    char parse_char() {
        char c = src_[at_++];
        if (c == '\\') {
            if (!more()) bad("dangling '\\'");
            c = src_[at_++];
        }
        return c;
    }

    Item parse_atom() {
        Item item;
        bool broad = false;
        if (peek() == '(') {
            ++at_;
            item.group = parse_alt();
            if (!more() || peek() != ')') bad("missing ')'");
            ++at_;
            return item;
        }
        if (peek() == '[') {
            ++at_;
            bool negated = more() && peek() == '^';
            if (negated) ++at_;
            for (;;) {
                if (!more()) bad("missing ']'");
                if (peek() == ']') {
                    ++at_;
                    break;
                }
                unsigned char lo = static_cast<unsigned char>(parse_char()), hi = lo;
                if (at_ + 1 < src_.size() && peek() == '-' && src_[at_ + 1] != ']') {
                    ++at_;
                    hi = static_cast<unsigned char>(parse_char());
                    if (hi < lo) bad("reversed range in []");
                }
                for (int c = lo; c <= hi; ++c) item.set.set(static_cast<size_t>(c));
            }
            if (negated) item.set.flip();
            broad = negated;
        } else if (peek() == '.') {
            ++at_;
            item.set.set();
            broad = true;
        } else {
            item.set.set(static_cast<unsigned char>(parse_char()));
        }
        for (int c = 0; c < 256; ++c)
            if (item.set[static_cast<size_t>(c)] && (!broad || (c > 32 && c < 127)))
                item.gen_chars += static_cast<char>(c);
        return item;
    }

    int parse_number() {
        while (more() && peek() == ' ') ++at_;
        if (!more() || !std::isdigit(static_cast<unsigned char>(peek()))) bad("number expected in {}");
        long long v = 0;
        while (more() && std::isdigit(static_cast<unsigned char>(peek()))) {
            v = v * 10 + (src_[at_++] - '0');
            if (v > INT_MAX) bad("repetition count too large");
        }
        while (more() && peek() == ' ') ++at_;
        return static_cast<int>(v);
    }

    void parse_quantifier(Item& item) {
        if (!more()) return;
        char c = peek();
        if (c == '?') item.lo = 0, item.hi = 1;
        else if (c == '*') item.lo = 0, item.hi = -1;
        else if (c == '+') item.lo = 1, item.hi = -1;
        else if (c == '{') {
            ++at_;
            item.lo = item.hi = parse_number();
            if (more() && peek() == ',') {
                ++at_;
                while (more() && peek() == ' ') ++at_;
                item.hi = (more() && peek() == '}') ? -1 : parse_number();
            }
            if (!more() || peek() != '}') bad("missing '}'");
            if (item.hi >= 0 && item.hi < item.lo) bad("{n,m} with m < n");
        } else {
            return;
        }
        ++at_;
    }

    static void normalize(Positions& p) {
        std::sort(p.begin(), p.end());
        p.erase(std::unique(p.begin(), p.end()), p.end());
    }

    // All positions where group g can end when it starts at any of `starts`.
    Positions step_alt(int g, const Positions& starts, const std::string& s) const {
        Positions out;
        for (const Seq& seq : groups_[static_cast<size_t>(g)]) {
            Positions cur = starts;
            for (const Item& item : seq) {
                if (cur.empty()) break;
                cur = step_item(item, cur, s);
            }
            out.insert(out.end(), cur.begin(), cur.end());
        }
        normalize(out);
        return out;
    }

    Positions step_item(const Item& item, const Positions& starts, const std::string& s) const {
        Positions out;
        if (item.group < 0) {
            for (size_t p : starts) {
                size_t limit = item.hi < 0 ? s.size() : std::min(s.size(), p + static_cast<size_t>(item.hi));
                size_t q = p;
                while (q < limit && item.set[static_cast<unsigned char>(s[q])]) ++q;
                for (size_t e = p + static_cast<size_t>(item.lo); e <= q; ++e) out.push_back(e);
            }
            normalize(out);
            return out;
        }
        Positions cur = starts;
        for (int r = 0; r < item.lo && !cur.empty(); ++r) cur = step_alt(item.group, cur, s);
        // From here on every reachable position is an end; explore only new ones (a position
        // reached earlier has at least as many repetitions left as one reached later).
        out = cur;
        for (int r = item.lo; (item.hi < 0 || r < item.hi) && !cur.empty(); ++r) {
            Positions next = step_alt(item.group, cur, s), fresh;
            std::set_difference(next.begin(), next.end(), out.begin(), out.end(), std::back_inserter(fresh));
            out.insert(out.end(), fresh.begin(), fresh.end());
            normalize(out);
            cur = std::move(fresh);
        }
        return out;
    }

    void generate(int g, random_t& rnd, std::string& out) const;
};

// ---------------------------------------------------------------------------------
// Random numbers
// ---------------------------------------------------------------------------------

class random_t {
public:
    random_t() { setSeed(0x5eed5eed12345678LL); }

    void setSeed(long long seed) {
        uint64_t x = static_cast<uint64_t>(seed);
        for (uint64_t& w : s_) w = splitmix(x);
    }

    void setSeed(int argc, char* argv[]) {
        uint64_t h = 1469598103934665603ULL;  // FNV-1a over all arguments, 0-separated
        for (int i = 1; i < argc; ++i) {
            for (const char* p = argv[i]; *p; ++p) h = (h ^ static_cast<unsigned char>(*p)) * 1099511628211ULL;
            h = (h ^ 0xffU) * 1099511628211ULL;
        }
        setSeed(static_cast<long long>(h));
    }

    uint64_t nextBits() {  // xoshiro256**
        uint64_t result = rotl(s_[1] * 5, 7) * 9, t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    // Uniform in [0, n); n == 0 means the full 64-bit range.
    uint64_t below(uint64_t n) {
        if (n == 0) return nextBits();
        uint64_t threshold = (0 - n) % n, x;
        do x = nextBits();
        while (x < threshold);
        return x % n;
    }

    double next() { return static_cast<double>(nextBits() >> 11) * (1.0 / 9007199254740992.0); }

    // next(n): uniform in [0, n).
    template <typename T, std::enable_if_t<std::is_integral<T>::value, int> = 0>
    auto next(T n) -> decltype(+n) {
        using R = decltype(+n);
        if (!(n > 0)) quit(_fail, "random_t::next(n): n must be positive");
        return static_cast<R>(below(static_cast<uint64_t>(n)));
    }

    template <typename T, std::enable_if_t<std::is_floating_point<T>::value, int> = 0>
    double next(T n) {
        if (!(n > 0)) quit(_fail, "random_t::next(n): n must be positive");
        return next() * static_cast<double>(n);
    }

    // next(from, to): integers uniform in [from, to], reals uniform in [from, to).
    template <typename A, typename B,
              std::enable_if_t<std::is_arithmetic<A>::value && std::is_arithmetic<B>::value, int> = 0>
    auto next(A from, B to) -> decltype(from + to) {
        using R = decltype(from + to);
        static_assert(std::is_integral<A>::value == std::is_integral<B>::value,
                      "rnd.next(from, to): mixed integer and floating-point bounds; "
                      "cast both to the same kind, e.g. rnd.next(1, (int)1e9)");
        R f = static_cast<R>(from), t = static_cast<R>(to);
        if (f > t) quit(_fail, "random_t::next(from, to): from must not be greater than to");
        if constexpr (std::is_integral<R>::value) {
            uint64_t span = static_cast<uint64_t>(t) - static_cast<uint64_t>(f) + 1;
            return static_cast<R>(static_cast<uint64_t>(f) + below(span));
        } else {
            return f + (t - f) * static_cast<R>(next());
        }
    }

    // next(pattern): a random string matching a pattern such as "[a-z]{1,10}".
    std::string next(const std::string& ptrn) { return pattern(ptrn).next(*this); }

    std::string next(const char* fmt, ...) TESTLIB_PRINTF(2, 3) {
        TESTLIB_VFORMAT(p, fmt);
        return pattern(p).next(*this);
    }

    // wnext(n, t): for t > 0 the maximum of t + 1 draws of next(n), for t < 0 the minimum
    // of -t + 1 draws, for t == 0 just next(n).
    template <typename T, std::enable_if_t<std::is_integral<T>::value, int> = 0>
    auto wnext(T n, int type) -> decltype(+n) {
        using R = decltype(+n);
        if (!(n > 0)) quit(_fail, "random_t::wnext(n, type): n must be positive");
        if (std::abs(type) <= 25) {
            R r = next(n);
            for (int i = 0; i < std::abs(type); ++i) r = type > 0 ? std::max(r, next(n)) : std::min(r, next(n));
            return r;
        }
        double x = static_cast<double>(n) * weighted(type);
        return static_cast<R>(std::min(std::max(x, 0.0), static_cast<double>(n - 1)));
    }

    template <typename T, std::enable_if_t<std::is_floating_point<T>::value, int> = 0>
    double wnext(T n, int type) {
        if (!(n > 0)) quit(_fail, "random_t::wnext(n, type): n must be positive");
        return static_cast<double>(n) * weighted(type);
    }

    template <typename A, typename B,
              std::enable_if_t<std::is_arithmetic<A>::value && std::is_arithmetic<B>::value, int> = 0>
    auto wnext(A from, B to, int type) -> decltype(from + to) {
        using R = decltype(from + to);
        static_assert(std::is_integral<A>::value == std::is_integral<B>::value,
                      "rnd.wnext(from, to, type): mixed integer and floating-point bounds");
        R f = static_cast<R>(from), t = static_cast<R>(to);
        if (f > t) quit(_fail, "random_t::wnext(from, to, type): from must not be greater than to");
        if constexpr (std::is_integral<R>::value) {
            uint64_t span = static_cast<uint64_t>(t) - static_cast<uint64_t>(f) + 1;
            if (span == 0) return static_cast<R>(nextBits());
            return static_cast<R>(static_cast<uint64_t>(f) + wnext(span, type));
        } else {
            return f + (t - f) * static_cast<R>(weighted(type));
        }
    }

    // A uniformly chosen element of a container / iterator range.
    template <typename Container>
    auto any(const Container& c) -> std::decay_t<decltype(*std::begin(c))> {
        return any(std::begin(c), std::end(c));
    }

    template <typename Iter>
    auto any(const Iter& first, const Iter& last) -> std::decay_t<decltype(*first)> {
        auto n = std::distance(first, last);
        if (n <= 0) quit(_fail, "random_t::any(): empty range");
        return *std::next(first, static_cast<long long>(below(static_cast<uint64_t>(n))));
    }

    template <typename Container>
    auto wany(const Container& c, int type) -> std::decay_t<decltype(*std::begin(c))> {
        auto n = std::distance(std::begin(c), std::end(c));
        if (n <= 0) quit(_fail, "random_t::wany(): empty container");
        return *std::next(std::begin(c), static_cast<long long>(wnext(static_cast<long long>(n), type)));
    }

    template <typename Iter>
    void shuffle(Iter first, Iter last) {
        auto n = std::distance(first, last);
        for (decltype(n) i = 1; i < n; ++i)
            std::iter_swap(std::next(first, i), std::next(first, static_cast<decltype(n)>(below(uint64_t(i) + 1))));
    }

    // A random permutation of first, first + 1, ..., first + size - 1 (default first = 0).
    template <typename T, typename E>
    std::vector<E> perm(T size, E first) {
        if (testlib_detail::negative(size)) quit(_fail, "random_t::perm(): size must not be negative");
        std::vector<E> p(static_cast<size_t>(size));
        for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<E>(first + static_cast<E>(i));
        shuffle(p.begin(), p.end());
        return p;
    }

    template <typename T>
    std::vector<T> perm(T size) {
        return perm(size, T(0));
    }

    // size distinct values from [from, to], in random order.
    template <typename S, typename A, typename B>
    auto distinct(S size, A from, B to) -> std::vector<decltype(from + to)> {
        using R = decltype(from + to);
        static_assert(std::is_integral<R>::value, "rnd.distinct(): integer bounds expected");
        std::vector<R> out;
        if (testlib_detail::negative(size)) quit(_fail, "random_t::distinct(): size must not be negative");
        if (size == 0) return out;
        R f = static_cast<R>(from), t = static_cast<R>(to);
        if (f > t) quit(_fail, "random_t::distinct(): from must not be greater than to");
        uint64_t span = static_cast<uint64_t>(t) - static_cast<uint64_t>(f) + 1;  // 0: 2^64
        uint64_t k = static_cast<uint64_t>(size);
        if (span != 0 && k > span) quit(_fail, "random_t::distinct(): not enough distinct values in the range");
        out.reserve(static_cast<size_t>(k));
        if (span != 0 && span <= 4 * k + 64) {
            std::vector<uint64_t> pool(static_cast<size_t>(span));
            std::iota(pool.begin(), pool.end(), uint64_t(0));
            for (uint64_t i = 0; i < k; ++i) {
                std::swap(pool[static_cast<size_t>(i)], pool[static_cast<size_t>(i + below(span - i))]);
                out.push_back(static_cast<R>(static_cast<uint64_t>(f) + pool[static_cast<size_t>(i)]));
            }
        } else {
            std::unordered_set<uint64_t> seen;
            while (out.size() < k) {
                uint64_t x = below(span);
                if (seen.insert(x).second) out.push_back(static_cast<R>(static_cast<uint64_t>(f) + x));
            }
        }
        return out;
    }

    template <typename S, typename T>
    std::vector<T> distinct(S size, T upper) {
        if (!(upper > 0) && size > 0) quit(_fail, "random_t::distinct(size, upper): upper must be positive");
        return distinct(size, T(0), static_cast<T>(upper - 1));
    }

    // size random parts, each >= min_part, with the given sum (uniform over compositions).
    template <typename S, typename T, typename M>
    std::vector<T> partition(S size, T sum, M min_part) {
        std::vector<T> parts;
        if (testlib_detail::negative(size)) quit(_fail, "random_t::partition(): size must not be negative");
        if (size == 0) {
            if (sum != 0) quit(_fail, "random_t::partition(): size is 0 but sum is not");
            return parts;
        }
        long double need = static_cast<long double>(size) * static_cast<long double>(min_part);
        if (need > static_cast<long double>(sum))
            quit(_fail, "random_t::partition(): sum is less than size * min_part");
        long long n = static_cast<long long>(size);
        long long free_sum = static_cast<long long>(sum) - n * static_cast<long long>(min_part);
        std::vector<long long> cuts = distinct(n - 1, 1LL, free_sum + n - 1);
        std::sort(cuts.begin(), cuts.end());
        cuts.insert(cuts.begin(), 0);
        cuts.push_back(free_sum + n);
        for (size_t i = 0; i + 1 < cuts.size(); ++i)
            parts.push_back(static_cast<T>(cuts[i + 1] - cuts[i] - 1 + static_cast<long long>(min_part)));
        return parts;
    }

    template <typename S, typename T>
    std::vector<T> partition(S size, T sum) {
        return partition(size, sum, T(1));
    }

private:
    uint64_t s_[4];

    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    static uint64_t splitmix(uint64_t& x) {
        uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    // A value in [0, 1) distributed like the maximum (type > 0) / minimum (type < 0) of
    // |type| + 1 uniform draws.
    double weighted(int type) {
        double u = next();
        if (type == 0) return u;
        double p = std::pow(u, 1.0 / (std::abs(type) + 1.0));
        return type > 0 ? p : 1.0 - p;
    }
};

inline random_t rnd;

inline std::string pattern::next(random_t& rnd) const {
    std::string out;
    generate(0, rnd, out);
    return out;
}

inline void pattern::generate(int g, random_t& rnd, std::string& out) const {
    const Alt& alt = groups_[static_cast<size_t>(g)];
    const Seq& seq = alt[static_cast<size_t>(rnd.next(static_cast<int>(alt.size())))];
    for (const Item& item : seq) {
        int hi = item.hi >= 0 ? item.hi : item.lo + 10;
        int count = rnd.next(item.lo, hi);
        for (int i = 0; i < count; ++i) {
            if (item.group >= 0) {
                generate(item.group, rnd, out);
            } else {
                if (item.gen_chars.empty()) bad("a character class matches nothing printable");
                out += item.gen_chars[static_cast<size_t>(rnd.next(static_cast<int>(item.gen_chars.size())))];
            }
        }
    }
}

template <typename Iter>
void shuffle(Iter first, Iter last) {
    rnd.shuffle(first, last);
}

// ---------------------------------------------------------------------------------
// Command-line options: -name=value, --name=value, -name value, -flag (= "true")
// ---------------------------------------------------------------------------------

namespace testlib_detail {

inline std::vector<std::string> args;
inline std::map<std::string, std::string> opts;

inline bool is_opt_key(const std::string& a) {
    size_t i = 0;
    while (i < a.size() && i < 2 && a[i] == '-') ++i;
    return i > 0 && i < a.size() && (std::isalpha(static_cast<unsigned char>(a[i])) || a[i] == '_');
}

inline void parse_args(int argc, char* argv[]) {
    args.assign(argv, argv + argc);
    opts.clear();
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (!is_opt_key(a)) continue;
        a = a.substr(a[1] == '-' ? 2 : 1);
        size_t eq = a.find('=');
        if (eq != std::string::npos) opts[a.substr(0, eq)] = a.substr(eq + 1);
        else if (i + 1 < argc && !is_opt_key(argv[i + 1])) opts[a] = argv[++i];
        else opts[a] = "true";
    }
}

// Parses [-+]digits[e[+]digits] (so "1e5" works for integer options).
template <typename T>
bool parse_integral(const std::string& s, T& out) {
    size_t i = 0;
    bool neg = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    if (i == s.size()) return false;
    unsigned long long mag = 0;
    size_t digits = 0;
    for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i, ++digits) {
        unsigned d = static_cast<unsigned>(s[i] - '0');
        if (mag > (ULLONG_MAX - d) / 10) return false;
        mag = mag * 10 + d;
    }
    if (digits == 0) return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && s[i] == '+') ++i;
        size_t exp_begin = i;
        int e = 0;
        for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i)
            if ((e = e * 10 + (s[i] - '0')) > 40) return false;
        if (i == exp_begin) return false;
        for (; e > 0; --e) {
            if (mag > ULLONG_MAX / 10) return false;
            mag *= 10;
        }
    }
    if (i != s.size()) return false;
    using L = std::numeric_limits<T>;
    if (!neg) {
        if (mag > static_cast<unsigned long long>(L::max())) return false;
        out = static_cast<T>(mag);
    } else {
        if (mag == 0) return out = 0, true;
        if (!L::is_signed || mag - 1 > static_cast<unsigned long long>(L::max())) return false;
        out = static_cast<T>(-static_cast<T>(mag - 1) - 1);
    }
    return true;
}

template <typename T>
T opt_cast(const std::string& value, const std::string& what) {
    if constexpr (std::is_same<T, std::string>::value) {
        return value;
    } else if constexpr (std::is_same<T, bool>::value) {
        std::string v = lowerCase(value);
        if (v == "true" || v == "1" || v == "yes") return true;
        if (v == "false" || v == "0" || v == "no") return false;
        quit(_fail, "Opt " + what + ": expected a boolean, but \"" + value + "\" found");
    } else if constexpr (std::is_same<T, char>::value) {
        if (value.size() != 1) quit(_fail, "Opt " + what + ": expected a character, but \"" + value + "\" found");
        return value[0];
    } else if constexpr (std::is_integral<T>::value) {
        T out{};
        if (!parse_integral(value, out))
            quit(_fail, "Opt " + what + ": expected an integer, but \"" + value + "\" found");
        return out;
    } else if constexpr (std::is_floating_point<T>::value) {
        char* end = nullptr;
        double v = std::strtod(value.c_str(), &end);
        if (value.empty() || *end != '\0')
            quit(_fail, "Opt " + what + ": expected a number, but \"" + value + "\" found");
        return static_cast<T>(v);
    } else {
        std::istringstream ss(value);
        T out{};
        if (!(ss >> out)) quit(_fail, "Opt " + what + ": cannot parse \"" + value + "\"");
        return out;
    }
}

}  // namespace testlib_detail

inline bool has_opt(const std::string& key) { return testlib_detail::opts.count(key) > 0; }

template <typename T = std::string>
T opt(const std::string& key) {
    auto it = testlib_detail::opts.find(key);
    if (it == testlib_detail::opts.end()) quit(_fail, "Opt '" + key + "' not found");
    return testlib_detail::opt_cast<T>(it->second, "'" + key + "'");
}

template <typename T>
T opt(const std::string& key, const T& default_value) {
    auto it = testlib_detail::opts.find(key);
    if (it == testlib_detail::opts.end()) return default_value;
    return testlib_detail::opt_cast<T>(it->second, "'" + key + "'");
}

inline std::string opt(const std::string& key, const char* default_value) {
    return opt<std::string>(key, std::string(default_value));
}

// opt<T>(index): the index-th command-line argument (argv[index]).
template <typename T = std::string>
T opt(int index) {
    if (index < 0 || index >= static_cast<int>(testlib_detail::args.size()))
        quit(_fail, format("Opt #%d not found", index));
    return testlib_detail::opt_cast<T>(testlib_detail::args[static_cast<size_t>(index)], format("#%d", index));
}

template <typename T>
T opt(int index, const T& default_value) {
    if (index < 0 || index >= static_cast<int>(testlib_detail::args.size())) return default_value;
    return opt<T>(index);
}

// ---------------------------------------------------------------------------------
// Input streams: inf, ouf, ans
// ---------------------------------------------------------------------------------

class InStream {
public:
    // path == nullptr reads stdin. Strict streams (a validator's inf) skip no whitespace.
    void init(const char* path, TMode mode, bool strict, const std::string& name) {
        mode_ = mode;
        strict_ = strict;
        name_ = name;
        data_.clear();
        pos_ = 0;
        std::FILE* f = path ? std::fopen(path, "rb") : stdin;
        if (!f) quit(mode == _output ? _pe : _fail, std::string("Cannot open file ") + path);
        char buf[1 << 16];
        size_t k;
        while ((k = std::fread(buf, 1, sizeof buf, f)) > 0) data_.append(buf, k);
        if (path) std::fclose(f);
    }

    // --- characters and positions ---
    bool eof() const { return pos_ >= data_.size(); }
    int curChar() const { return eof() ? EOF : static_cast<unsigned char>(data_[pos_]); }
    int nextChar() { return eof() ? EOF : static_cast<unsigned char>(data_[pos_++]); }
    void skipChar() { if (!eof()) ++pos_; }
    void skipBlanks() { while (!eof() && is_space(data_[pos_])) ++pos_; }
    bool seekEof() { skipBlanks(); return eof(); }

    // True (and consumed) if an end of line comes next; non-strict streams also accept
    // blanks before it, "\r\n" and the end of file.
    bool eoln() {
        if (strict_) {
            if (curChar() != '\n') return false;
            ++pos_;
            return true;
        }
        size_t p = pos_;
        while (p < data_.size() && (data_[p] == ' ' || data_[p] == '\t')) ++p;
        if (p < data_.size() && data_[p] == '\r') ++p;
        if (p >= data_.size() || data_[p] == '\n') {
            pos_ = std::min(p + 1, data_.size());
            return true;
        }
        return false;
    }

    bool seekEoln() {
        while (!eof() && (data_[pos_] == ' ' || data_[pos_] == '\t')) ++pos_;
        return eoln();
    }

    char readChar() {
        if (eof()) fail(_unexpected_eof, "Unexpected end of file - character expected");
        return data_[pos_++];
    }

    char readChar(char c) {
        char got = readChar();
        if (got != c) fail(_pe, "Unexpected character " + show(got) + ", but " + show(c) + " expected");
        return got;
    }

    void readSpace() {
        if (!strict_) {
            while (!eof() && (data_[pos_] == ' ' || data_[pos_] == '\t')) ++pos_;
            return;
        }
        if (curChar() != ' ') fail(_pe, "Expected space, but " + found() + " found");
        ++pos_;
    }

    void readEoln() {
        if (!eoln()) fail(_pe, "Expected EOLN, but " + found() + " found");
    }

    void readEof() {
        ++testlib_detail::state.read_eof_count;
        if (!strict_) skipBlanks();
        if (!eof()) fail(_pe, "Expected EOF, but " + found() + " found");
    }

    // --- tokens and lines ---
    std::string readToken() { return token("token"); }
    std::string readToken(const pattern& p, const std::string& name = "") {
        std::string t = token("token");
        check_pattern(t, p, name, "Token");
        return t;
    }
    std::string readToken(const std::string& ptrn, const std::string& name = "") {
        return readToken(pattern(ptrn), name);
    }
    std::string readWord() { return readToken(); }
    std::string readWord(const pattern& p, const std::string& name = "") { return readToken(p, name); }
    std::string readWord(const std::string& ptrn, const std::string& name = "") {
        return readToken(pattern(ptrn), name);
    }

    std::string readLine() {
        if (eof()) fail(_unexpected_eof, "Unexpected end of file - line expected");
        size_t end = data_.find('\n', pos_);
        if (end == std::string::npos) end = data_.size();
        std::string line = data_.substr(pos_, end - pos_);
        pos_ = std::min(end + 1, data_.size());
        if (!strict_ && !line.empty() && line.back() == '\r') line.pop_back();
        return line;
    }
    std::string readLine(const pattern& p, const std::string& name = "") {
        std::string line = readLine();
        check_pattern(line, p, name, "Line");
        return line;
    }
    std::string readLine(const std::string& ptrn, const std::string& name = "") {
        return readLine(pattern(ptrn), name);
    }
    std::string readString() { return readLine(); }
    std::string readString(const pattern& p, const std::string& name = "") { return readLine(p, name); }
    std::string readString(const std::string& ptrn, const std::string& name = "") {
        return readLine(pattern(ptrn), name);
    }

    // --- numbers ---
    int readInt() { return static_cast<int>(read_integer(INT_MIN, INT_MAX, false, "", "int32")); }
    int readInt(int minv, int maxv, const std::string& name = "") {
        return static_cast<int>(read_integer(minv, maxv, true, name, "int32"));
    }
    long long readLong() { return read_integer(LLONG_MIN, LLONG_MAX, false, "", "int64"); }
    long long readLong(long long minv, long long maxv, const std::string& name = "") {
        return read_integer(minv, maxv, true, name, "int64");
    }
    long long readInteger() { return readLong(); }
    long long readInteger(long long minv, long long maxv, const std::string& name = "") {
        return readLong(minv, maxv, name);
    }

    double readReal() { return read_real(0, 0, false, -1, -1, ""); }
    double readReal(double minv, double maxv, const std::string& name = "") {
        return read_real(minv, maxv, true, -1, -1, name);
    }
    double readDouble() { return readReal(); }
    double readDouble(double minv, double maxv, const std::string& name = "") {
        return readReal(minv, maxv, name);
    }
    // Fixed-point only, with between minDigits and maxDigits digits after the point.
    double readStrictReal(double minv, double maxv, int minDigits, int maxDigits, const std::string& name = "") {
        return read_real(minv, maxv, true, minDigits, maxDigits, name);
    }
    double readStrictDouble(double minv, double maxv, int minDigits, int maxDigits, const std::string& name = "") {
        return readStrictReal(minv, maxv, minDigits, maxDigits, name);
    }

    // --- many values; strict streams expect exactly one space between them ---
    std::vector<int> readInts(int size, int minv, int maxv, const std::string& name = "", int indexBase = 1) {
        return read_many<int>(size, name, indexBase, [&](const std::string& n) { return readInt(minv, maxv, n); });
    }
    std::vector<int> readInts(int size, int indexBase = 1) {
        return read_many<int>(size, "", indexBase, [&](const std::string&) { return readInt(); });
    }
    std::vector<long long> readLongs(int size, long long minv, long long maxv, const std::string& name = "", int indexBase = 1) {
        return read_many<long long>(size, name, indexBase, [&](const std::string& n) { return readLong(minv, maxv, n); });
    }
    std::vector<long long> readLongs(int size, int indexBase = 1) {
        return read_many<long long>(size, "", indexBase, [&](const std::string&) { return readLong(); });
    }
    std::vector<double> readReals(int size, double minv, double maxv, const std::string& name = "", int indexBase = 1) {
        return read_many<double>(size, name, indexBase, [&](const std::string& n) { return readReal(minv, maxv, n); });
    }
    std::vector<double> readReals(int size, int indexBase = 1) {
        return read_many<double>(size, "", indexBase, [&](const std::string&) { return readReal(); });
    }
    std::vector<double> readDoubles(int size, double minv, double maxv, const std::string& name = "", int indexBase = 1) {
        return readReals(size, minv, maxv, name, indexBase);
    }
    std::vector<double> readDoubles(int size, int indexBase = 1) { return readReals(size, indexBase); }
    std::vector<std::string> readTokens(int size, const std::string& ptrn, const std::string& name = "", int indexBase = 1) {
        pattern p(ptrn);
        return read_many<std::string>(size, name, indexBase, [&](const std::string& n) { return readToken(p, n); });
    }
    std::vector<std::string> readTokens(int size, int indexBase = 1) {
        return read_many<std::string>(size, "", indexBase, [&](const std::string&) { return readToken(); });
    }
    std::vector<std::string> readWords(int size, const std::string& ptrn, const std::string& name = "", int indexBase = 1) {
        return readTokens(size, ptrn, name, indexBase);
    }
    std::vector<std::string> readWords(int size, int indexBase = 1) { return readTokens(size, indexBase); }

    // --- verdicts about this stream: on inf / ans any non-ok verdict becomes _fail ---
    [[noreturn]] void quit(TResult result, const std::string& msg) {
        if (mode_ != _output && result != _ok && result != _fail) {
            result = _fail;
            if (!strict_) ::quit(result, msg + " (in " + name_ + ")");
        }
        ::quit(result, msg);
    }
    [[noreturn]] void quit(TResult result, const char* msg) { quit(result, std::string(msg)); }

    [[noreturn]] void quitf(TResult result, const char* fmt, ...) TESTLIB_PRINTF(3, 4) {
        TESTLIB_VFORMAT(msg, fmt);
        quit(result, msg);
    }

    void ensuref(bool cond, const char* fmt, ...) TESTLIB_PRINTF(3, 4) {
        if (cond) return;
        TESTLIB_VFORMAT(msg, fmt);
        quit(_wa, msg);
    }

private:
    std::string data_;
    size_t pos_ = 0;
    TMode mode_ = _input;
    bool strict_ = false;
    std::string name_ = "input";

    static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

    static std::string show(char c) {
        if (c == '\n') return "EOLN";
        if (c == '\r') return "'\\r'";
        if (c == '\t') return "TAB";
        if (c == ' ') return "SPACE";
        if (static_cast<unsigned char>(c) < 32 || static_cast<unsigned char>(c) > 126)
            return format("'\\x%02x'", static_cast<unsigned char>(c));
        return std::string("'") + c + "'";
    }

    size_t line() const {
        return 1 + static_cast<size_t>(std::count(data_.begin(), data_.begin() + static_cast<long>(pos_), '\n'));
    }

    std::string found() const { return eof() ? "end of file" : show(data_[pos_]); }

    // A reading error: strict streams report where it happened.
    [[noreturn]] void fail(TResult result, const std::string& msg) {
        if (strict_) quit(result, msg + " (" + name_ + ", line " + std::to_string(line()) + ")");
        quit(result, msg);
    }

    std::string token(const char* what) {
        if (!strict_) skipBlanks();
        if (eof()) fail(_unexpected_eof, std::string("Unexpected end of file - ") + what + " expected");
        size_t begin = pos_;
        while (!eof() && !is_space(data_[pos_])) ++pos_;
        if (pos_ == begin) fail(_pe, "Unexpected white-space " + show(data_[pos_]) + " - " + what + " expected");
        return data_.substr(begin, pos_ - begin);
    }

    // "Integer 5" or "Integer parameter [name=n] equals to 5", for error messages.
    static std::string subject(const char* kind, const std::string& name, const std::string& value) {
        if (name.empty()) return std::string(kind) + " " + value;
        return std::string(kind) + " parameter [name=" + name + "] equals to " + value + ",";
    }

    void check_pattern(const std::string& s, const pattern& p, const std::string& name, const char* kind) {
        if (p.matches(s)) return;
        fail(_wa, subject(kind, name, "\"" + compress(s) + "\"") + " doesn't correspond to pattern \"" + p.src() + "\"");
    }

    static std::string range_msg(const char* kind, const std::string& name, const std::string& value,
                                 const std::string& lo, const std::string& hi) {
        return subject(kind, name, value) + " violates the range [" + lo + ", " + hi + "]";
    }

    // Decimal integer; strict streams reject '+', leading zeros and "-0".
    bool parse_integer(const std::string& t, long long& v) const {
        size_t i = 0;
        bool neg = false;
        if (t[0] == '-') neg = true, ++i;
        else if (t[0] == '+' && !strict_) ++i;
        if (i == t.size()) return false;
        if (strict_ && t[i] == '0' && (t.size() > i + 1 || neg)) return false;
        unsigned long long mag = 0;
        for (; i < t.size(); ++i) {
            if (!std::isdigit(static_cast<unsigned char>(t[i]))) return false;
            unsigned d = static_cast<unsigned>(t[i] - '0');
            if (mag > (ULLONG_MAX - d) / 10) return false;
            mag = mag * 10 + d;
        }
        const unsigned long long limit = static_cast<unsigned long long>(LLONG_MAX);
        if (mag > limit + (neg ? 1 : 0)) return false;
        v = neg ? static_cast<long long>(0 - mag) : static_cast<long long>(mag);
        return true;
    }

    long long read_integer(long long minv, long long maxv, bool bounded, const std::string& name, const char* type) {
        std::string t = token(type);
        long long v = 0;
        if (!parse_integer(t, v) || (!bounded && (v < minv || v > maxv)))
            fail(_pe, std::string("Expected ") + type + ", but \"" + compress(t) + "\" found");
        if (v < minv || v > maxv)
            fail(_wa, range_msg("Integer", name, compress(t), std::to_string(minv), std::to_string(maxv)));
        return v;
    }

    // Decimal real. Strict streams want [-]digits[.digits] (no exponent, no leading zeros);
    // minDigits >= 0 also bounds the number of digits after the point.
    bool parse_real(const std::string& t, double& v, int minDigits, int maxDigits) const {
        size_t i = 0;
        if (t[i] == '-' || (t[i] == '+' && !strict_)) ++i;
        size_t int_begin = i;
        while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
        size_t int_digits = i - int_begin, frac_digits = 0;
        bool point = i < t.size() && t[i] == '.';
        if (point) {
            size_t frac_begin = ++i;
            while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
            frac_digits = i - frac_begin;
        }
        if (int_digits + frac_digits == 0) return false;
        bool fixed_only = strict_ || minDigits >= 0;
        if (fixed_only) {
            if (int_digits == 0 || (point && frac_digits == 0) || i != t.size()) return false;
            if (int_digits > 1 && t[int_begin] == '0') return false;
            int digits = static_cast<int>(frac_digits);
            if (minDigits >= 0 && (digits < minDigits || digits > maxDigits)) return false;
        } else if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
            ++i;
            if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
            size_t exp_begin = i;
            while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
            if (i == exp_begin) return false;
        }
        if (i != t.size()) return false;
        v = std::strtod(t.c_str(), nullptr);
        return std::isfinite(v);
    }

    double read_real(double minv, double maxv, bool bounded, int minDigits, int maxDigits, const std::string& name) {
        std::string t = token("double");
        double v = 0;
        if (!parse_real(t, v, minDigits, maxDigits))
            fail(_pe, (minDigits < 0 ? std::string("Expected double")
                                     : format("Expected double with %d..%d digits after the point", minDigits, maxDigits)) +
                          ", but \"" + compress(t) + "\" found");
        if (bounded && (v < minv || v > maxv))
            fail(_wa, range_msg("Double", name, compress(t), format("%.10g", minv), format("%.10g", maxv)));
        return v;
    }

    template <typename T, typename F>
    std::vector<T> read_many(int size, const std::string& name, int indexBase, F read_one) {
        if (size < 0) ::quit(_fail, format("Cannot read %d values: size must not be negative", size));
        std::vector<T> out;
        out.reserve(static_cast<size_t>(size));
        for (int i = 0; i < size; ++i) {
            if (i > 0 && strict_) readSpace();
            out.push_back(read_one(name.empty() ? name : name + "[" + std::to_string(i + indexBase) + "]"));
        }
        return out;
    }
};

inline InStream inf;
inline InStream ouf;
inline InStream ans;

// ---------------------------------------------------------------------------------
// Verdicts and registration
// ---------------------------------------------------------------------------------

[[noreturn]] inline void quit(TResult result, const std::string& msg) {
    using testlib_detail::state;
    std::string text = msg;
    if (state.quit_count++ == 0 && state.mode == _checker && result == _ok && !ouf.seekEof()) {
        result = _dirt;
        text = "Extra information in the output file";
    }
    int code = 3;
    const char* word = "FAIL";
    switch (result) {
        case _ok: code = 0, word = "ok"; break;
        case _wa: code = 1, word = "wrong answer"; break;
        case _pe:
        case _dirt:
        case _unexpected_eof: code = 2, word = "wrong output format"; break;
        case _points: code = 7, word = "points"; break;
        default:
            if (result >= _partially) code = result, word = "partially correct";
            break;
    }
    std::string line = std::string(word) + (text.empty() ? "" : " " + text);
    std::cout.flush();
    std::fflush(stdout);
    std::fprintf(stderr, "%s\n", line.c_str());
    if (state.result_file) {
        if (std::FILE* f = std::fopen(state.result_file, "w")) {
            std::fprintf(f, "%s\n", line.c_str());
            std::fclose(f);
        }
    }
    std::exit(code);
}

namespace testlib_detail {
// After main returns: a validator must have called readEof(), a checker must have
// called quit/quitf (as in testlib).
struct FinalizeGuard {
    ~FinalizeGuard() {
        const char* problem = nullptr;
        if (state.quit_count == 0 && state.mode == _validator && state.read_eof_count == 0)
            problem = "FAIL Validator must end with readEof call.";
        if (state.quit_count == 0 && state.mode == _checker)
            problem = "FAIL Checker must end with quit or quitf call.";
        if (!problem) return;
        std::fflush(stdout);
        std::fprintf(stderr, "%s\n", problem);
        std::_Exit(3);
    }
};
inline FinalizeGuard finalize_guard;
}  // namespace testlib_detail

inline void registerGen(int argc, char* argv[], int /*randomGeneratorVersion*/) {
    testlib_detail::state.mode = _generator;
    testlib_detail::parse_args(argc, argv);
    rnd.setSeed(argc, argv);
}

inline void registerGen(int argc, char* argv[]) { registerGen(argc, argv, 1); }

inline void registerValidation() {
    testlib_detail::state.mode = _validator;
    inf.init(nullptr, _input, true, "stdin");
}

inline void registerValidation(int argc, char* argv[]) {
    testlib_detail::parse_args(argc, argv);
    registerValidation();
}

// checker input-file output-file answer-file [result-file]
inline void registerTestlibCmd(int argc, char* argv[]) {
    testlib_detail::state.mode = _checker;
    testlib_detail::parse_args(argc, argv);
    if (argc < 4)
        quit(_fail, "Program must be run with: <input-file> <output-file> <answer-file> [<result-file>]");
    if (argc > 4) testlib_detail::state.result_file = argv[4];
    inf.init(argv[1], _input, false, "input");
    ans.init(argv[3], _answer, false, "answer");
    ouf.init(argv[2], _output, false, "output");
}

// ---------------------------------------------------------------------------------
// println: arguments separated by spaces; containers and iterator ranges element-wise
// ---------------------------------------------------------------------------------

namespace testlib_detail {

template <typename T, typename = void>
struct is_container : std::false_type {};
template <typename T>
struct is_container<T, std::void_t<decltype(std::begin(std::declval<const T&>())),
                                   decltype(std::end(std::declval<const T&>()))>> : std::true_type {};

template <typename T, typename = void>
struct is_iterator : std::false_type {};
template <typename T>
struct is_iterator<T, std::void_t<typename std::iterator_traits<T>::iterator_category>> : std::true_type {};

template <typename T>
struct is_pair : std::false_type {};
template <typename A, typename B>
struct is_pair<std::pair<A, B>> : std::true_type {};

template <typename T>
constexpr bool is_text = std::is_convertible<const T&, std::string>::value;

template <typename T>
void print_one(const T& x) {
    if constexpr (is_text<T>) {
        std::cout << x;
    } else if constexpr (is_pair<T>::value) {
        print_one(x.first);
        std::cout << ' ';
        print_one(x.second);
    } else if constexpr (is_container<T>::value) {
        bool first = true;
        for (const auto& e : x) {
            if (!first) std::cout << ' ';
            first = false;
            print_one(e);
        }
    } else {
        std::cout << x;
    }
}

template <typename T>
void print_range(T first, T last) {
    for (T it = first; it != last; ++it) {
        if (it != first) std::cout << ' ';
        print_one(*it);
    }
}

}  // namespace testlib_detail

inline void println() { std::cout << '\n'; }

template <typename T, typename... Rest>
void println(const T& first, const Rest&... rest) {
    using namespace testlib_detail;
    constexpr bool range = sizeof...(Rest) == 1 && (std::is_same<T, Rest>::value && ...) && is_iterator<T>::value;
    if constexpr (range && !is_text<T>) {
        print_range(first, rest...);
    } else {
        print_one(first);
        ((std::cout << ' ', print_one(rest)), ...);
    }
    std::cout << '\n';
}

#endif  // KLEARCT_TESTLIB_H
