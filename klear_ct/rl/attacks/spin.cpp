// never ends: one test must cost about the time limit, not the whole batch
int main() { volatile unsigned long x = 0; for (;;) x++; }
