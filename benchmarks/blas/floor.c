/* The floor of the cat model's two X-sized products on this machine: every
 * storage of W1, X, Z1/dZ1 and dW1 (each row-major as stored, or its transpose),
 * in float64 (dgemm) and float32 (sgemm), with BLIS on 1 and 2 threads.
 *
 *   forward  Z1 = W1·X     W1 20×12288, X 12288×209
 *   backward dW1 = dZ1·Xᵀ  dZ1 20×209
 *
 * Each storage choice is one row-major CBLAS call (a transposed operand or a
 * transposed output is the same product with the other flags). The variants run
 * interleaved, round after round, and each reports its median: the machine is
 * shared, so a slow minute hits every variant alike.
 *
 * usage: floor THREADS ROUNDS  (prints one line per variant: dtype product storage median CPU ms)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum CBLAS_ORDER { CblasRowMajor = 101 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112 };
void cblas_dgemm(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, enum CBLAS_TRANSPOSE, int, int, int, double,
                 const double *, int, const double *, int, double, double *, int);
void cblas_sgemm(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, enum CBLAS_TRANSPOSE, int, int, int, float,
                 const float *, int, const float *, int, float, float *, int);
void bli_thread_set_num_threads(long);
int bli_arch_query_id(void);
const char *bli_arch_string(int);

/* CPU time of the whole process (every BLIS thread): on a machine whose load is
 * many times its cores, wall time measures the other processes. */
static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

enum { N1 = 20, NX = 12288, M = 209, VARIANTS = 32, MAX_ROUNDS = 200 };

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* C (r×c) = A·B with A r×k, B k×c. `ta`: A is stored transposed (k×r); `tb`: B
 * stored transposed (c×k); `tc`: C stored transposed (c×r), computed as Bᵀ·Aᵀ. */
static void dproduct(int r, int c, int k, double alpha, const double *A, int ta, const double *B, int tb, double *C, int tc) {
    if (!tc)
        cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, r, c, k, alpha,
                    A, ta ? r : k, B, tb ? k : c, 0, C, c);
    else
        cblas_dgemm(CblasRowMajor, tb ? CblasNoTrans : CblasTrans, ta ? CblasNoTrans : CblasTrans, c, r, k, alpha,
                    B, tb ? k : c, A, ta ? r : k, 0, C, r);
}

static void sproduct(int r, int c, int k, float alpha, const float *A, int ta, const float *B, int tb, float *C, int tc) {
    if (!tc)
        cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, r, c, k, alpha,
                    A, ta ? r : k, B, tb ? k : c, 0, C, c);
    else
        cblas_sgemm(CblasRowMajor, tb ? CblasNoTrans : CblasTrans, ta ? CblasNoTrans : CblasTrans, c, r, k, alpha,
                    B, tb ? k : c, A, ta ? r : k, 0, C, r);
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1, rounds = argc > 2 ? atoi(argv[2]) : 20;
    if (rounds > MAX_ROUNDS) rounds = MAX_ROUNDS;
    bli_thread_set_num_threads(threads);
    double *dW = malloc(sizeof(double) * N1 * NX), *dX = malloc(sizeof(double) * NX * M),
           *dZ = malloc(sizeof(double) * N1 * M), *dOut = malloc(sizeof(double) * N1 * NX);
    float *sW = malloc(sizeof(float) * N1 * NX), *sX = malloc(sizeof(float) * NX * M),
          *sZ = malloc(sizeof(float) * N1 * M), *sOut = malloc(sizeof(float) * N1 * NX);
    for (long i = 0; i < (long)N1 * NX; i++) sW[i] = (float)(dW[i] = (i % 7) * 0.01 - 0.03);
    for (long i = 0; i < (long)NX * M; i++) sX[i] = (float)(dX[i] = (i % 256) / 255.0);
    for (long i = 0; i < N1 * M; i++) sZ[i] = (float)(dZ[i] = (i % 5) * 0.1 - 0.2);
    /* The contents do not change the time; the stored shape is all a variant changes. */
    static double times[VARIANTS][MAX_ROUNDS];
    for (int round = 0; round < rounds; round++) {
        for (int v = 0; v < VARIANTS; v++) {
            int single = v >> 4, backward = (v >> 3) & 1, t0 = (v >> 2) & 1, t1 = (v >> 1) & 1, t2 = v & 1;
            double start = now();
            if (!backward) {
                /* Z1 (N1×M) = W1 (N1×NX) · X (NX×M); t0: W1 stored NX×N1, t1: X stored M×NX, t2: Z1 stored M×N1. */
                if (single) sproduct(N1, M, NX, 1, sW, t0, sX, t1, sOut, t2);
                else dproduct(N1, M, NX, 1, dW, t0, dX, t1, dOut, t2);
            } else {
                /* dW1 (N1×NX) = dZ1 (N1×M) · Xᵀ (M×NX); t0: dZ1 stored M×N1, t1: X stored NX×M (the course's,
                 * so Xᵀ is "transposed"), t2: dW1 stored NX×N1. */
                if (single) sproduct(N1, NX, M, 1.0f / M, sZ, t0, sX, !t1, sOut, t2);
                else dproduct(N1, NX, M, 1.0 / M, dZ, t0, dX, !t1, dOut, t2);
            }
            times[v][round] = now() - start;
        }
    }
    printf("BLIS kernels %s, %d thread(s), median CPU ms of %d interleaved rounds\n", bli_arch_string(bli_arch_query_id()),
           threads, rounds);
    for (int v = 0; v < VARIANTS; v++) {
        int single = v >> 4, backward = (v >> 3) & 1, t0 = (v >> 2) & 1, t1 = (v >> 1) & 1, t2 = v & 1;
        qsort(times[v], rounds, sizeof(double), compare);
        const char *xLayout = backward ? (t1 ? "X examples-first" : "X course") : (t1 ? "X examples-first" : "X course");
        printf("%s %s %s %s %s %.3f\n", single ? "float32" : "float64", backward ? "dW1=dZ1.Xt" : "Z1=W1.X",
               backward ? (t0 ? "dZ1-transposed" : "dZ1-as-is") : (t0 ? "W1-transposed" : "W1-as-is"), xLayout,
               backward ? (t2 ? "dW1-transposed" : "dW1-as-is") : (t2 ? "Z1-transposed" : "Z1-as-is"),
               times[v][rounds / 2] * 1e3);
    }
    return 0;
}
