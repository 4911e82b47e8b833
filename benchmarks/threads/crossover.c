/* Mean time of Z = W·A (units × fanIn times fanIn × 64, a mini-batch's forward
 * product) on 1 and 2 BLIS threads, for products of growing size: where a second
 * thread starts to pay. Run by crossover.sh (which sets OMP_WAIT_POLICY as lnet does).
 *
 * usage: crossover  (prints multiply-adds, ms with 1 thread, ms with 2, ratio)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum CBLAS_ORDER { CblasRowMajor = 101 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112 };
void cblas_dgemm(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, enum CBLAS_TRANSPOSE, int, int, int, double,
                 const double *, int, const double *, int, double, double *, int);
void bli_thread_set_num_threads(long);

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double mean_ms(int threads, int m, int n, int k, const double *a, const double *b, double *c) {
    bli_thread_set_num_threads(threads);
    long calls = 1 + 200000000L / ((long)m * n * k);  /* about 0.2 G multiply-adds per measurement */
    if (calls > 20000) calls = 20000;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 0, c, n);
    double start = now();
    for (long i = 0; i < calls; i++)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 0, c, n);
    return (now() - start) / calls * 1e3;
}

int main(void) {
    const int n = 64;
    const int shapes[][2] = {{16, 16}, {32, 32}, {32, 64}, {64, 64}, {64, 128}, {128, 128}, {128, 256},
                             {256, 256}, {256, 512}, {512, 512}, {512, 1024}, {1024, 1024}};
    for (unsigned s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int m = shapes[s][0], k = shapes[s][1];
        double *a = malloc(sizeof(double) * m * k), *b = malloc(sizeof(double) * k * n), *c = malloc(sizeof(double) * m * n);
        for (int i = 0; i < m * k; i++) a[i] = rand() / (double)RAND_MAX - 0.5;
        for (int i = 0; i < k * n; i++) b[i] = rand() / (double)RAND_MAX - 0.5;
        double one = 0, two = 0;
        for (int round = 0; round < 3; round++) {  /* alternate, so a noisy moment hits both */
            one += mean_ms(1, m, n, k, a, b, c);
            two += mean_ms(2, m, n, k, a, b, c);
        }
        printf("%10ld %9.4f %9.4f %6.2f\n", (long)m * n * k, one / 3, two / 3, two / one);
        free(a); free(b); free(c);
    }
    return 0;
}
