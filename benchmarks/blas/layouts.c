/* The cat model's two products with X in each layout, as training runs them:
 * forward, backward, update, again and again (means, not best-of: a product
 * that is fast once but slow in a loop would mislead). The layouts alternate in
 * blocks of 20 epochs, so a noisy minute on the shared machine hits both.
 *
 *   X  (n_x × m, the course's): Z1 = W1·X   (NN), dW1 = dZ1·Xᵀ (NT)
 *   Xs (m × n_x, examples-first): Z1 = W1·Xsᵀ (NT), dW1 = dZ1·Xs  (NN)
 *
 * usage: layouts THREADS  (prints mean ms per product for each layout)
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

int main(int argc, char **argv) {
    const int n1 = 20, nx = 12288, m = 209;
    bli_thread_set_num_threads(argc > 1 ? atoi(argv[1]) : 2);
    double *W = malloc(sizeof(double) * n1 * nx), *X = malloc(sizeof(double) * nx * m),
           *Xs = malloc(sizeof(double) * nx * m), *Z = malloc(sizeof(double) * n1 * m),
           *dZ = malloc(sizeof(double) * n1 * m), *dW = malloc(sizeof(double) * n1 * nx);
    for (long i = 0; i < (long)n1 * nx; i++) W[i] = (i % 7) * 0.01;
    for (long i = 0; i < (long)nx * m; i++) X[i] = (i % 256) / 255.0;
    for (long i = 0; i < nx; i++)
        for (long j = 0; j < m; j++) Xs[j * nx + i] = X[i * m + j];
    for (int i = 0; i < n1 * m; i++) dZ[i] = (i % 5) * 0.1 - 0.2;
    double forward[2] = {0, 0}, backward[2] = {0, 0};
    int epochs[2] = {0, 0};
    for (int block = 0; block < 40; block++) {
        int layout = block % 2;
        for (int r = 0; r < 20; r++) {
            double t0 = now();
            if (layout == 0)
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n1, m, nx, 1, W, nx, X, m, 0, Z, m);
            else
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n1, m, nx, 1, W, nx, Xs, nx, 0, Z, m);
            double t1 = now();
            if (layout == 0)
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n1, nx, m, 1.0 / m, dZ, m, X, m, 0, dW, nx);
            else
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n1, nx, m, 1.0 / m, dZ, m, Xs, nx, 0, dW, nx);
            double t2 = now();
            forward[layout] += t1 - t0;
            backward[layout] += t2 - t1;
            epochs[layout]++;
            for (long i = 0; i < (long)n1 * nx; i++) W[i] -= 0.0075 * dW[i];
        }
    }
    for (int layout = 0; layout < 2; layout++)
        printf("%s: Z1 %.2f ms, dW1 %.2f ms (mean of %d)\n", layout ? "Xs (m × n_x)" : "X (n_x × m)",
               forward[layout] / epochs[layout] * 1e3, backward[layout] / epochs[layout] * 1e3, epochs[layout]);
    return 0;
}
