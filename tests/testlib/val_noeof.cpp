// A validator that forgets readEof(): testlib fails it (exit 3) when main returns.
#include "testlib.h"

int main(int argc, char* argv[]) {
    registerValidation(argc, argv);
    inf.readInt(1, 10, "n");
    inf.readEoln();
    return 0;
}
