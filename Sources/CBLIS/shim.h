#ifndef LNET_CBLIS_SHIM_H
#define LNET_CBLIS_SHIM_H

// BLIS (Debian's libblis-openmp-dev) exports the standard CBLAS functions and
// its own thread control. Only the prototypes LNet calls are declared here, so
// that the header of whichever BLAS Debian's alternatives point <cblas.h> at
// cannot shadow BLIS's.
enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112, CblasConjTrans = 113 };

void cblas_dgemm(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE transA,
                 enum CBLAS_TRANSPOSE transB, int m, int n, int k,
                 double alpha, const double *a, int lda,
                 const double *b, int ldb, double beta, double *c, int ldc);

// The float32 product (`lnet train --dtype float32`).
void cblas_sgemm(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE transA,
                 enum CBLAS_TRANSPOSE transB, int m, int n, int k,
                 float alpha, const float *a, int lda,
                 const float *b, int ldb, float beta, float *c, int ldc);

// Sets the number of threads BLIS uses for the calls that follow.
void bli_thread_set_num_threads(long n_threads);
long bli_thread_get_num_threads(void);

// The kernel configuration BLIS selected at run time (e.g. "skx", "haswell").
int bli_arch_query_id(void);
const char *bli_arch_string(int id);

#endif
