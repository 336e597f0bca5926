#include <cmath>
#include <cstdio>
int main() {
    int t;
    scanf("%d", &t);
    while (t--) {
        double r;
        scanf("%lf", &r);
        printf("%.12g\n", M_PI * r * r);  // other digits than the answer file, within tolerance
    }
}
