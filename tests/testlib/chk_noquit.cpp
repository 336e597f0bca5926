// A checker that returns without quitf(): testlib fails it (exit 3).
#include "testlib.h"

int main(int argc, char* argv[]) {
    registerTestlibCmd(argc, argv);
    ouf.readInt();
    return 0;
}
