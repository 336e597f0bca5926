/* The compiler runs in the sandbox too: it must not be able to read the host's secrets. */
#include "/etc/shadow"
int main(void) { return 0; }
