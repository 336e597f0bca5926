/* An endless include: must end as a compile error within the compile limits. */
#include </dev/zero>
int main(void) { return 0; }
