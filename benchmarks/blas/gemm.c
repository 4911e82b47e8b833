/* Times the cat model's two large products, Z1 = W1·X and dW1 = dZ1·Xᵀ, in the BLAS it is linked against. Built and run by measure.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
typedef enum {CblasRowMajor=101, CblasColMajor=102} O; typedef enum {CblasNoTrans=111, CblasTrans=112} T;
void cblas_dgemm(O, T, T, int, int, int, double, const double*, int, const double*, int, double, double*, int);
#ifdef BLIS
void bli_thread_set_num_threads(long);
#endif
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(int argc,char**argv){int M=20,K=12288,N=209;
#ifdef BLIS
 bli_thread_set_num_threads(atoi(argv[1]));
#endif
 double*A=malloc(8*M*K),*B=malloc(8*K*N),*C=malloc(8*M*N),*C2=malloc(8*M*N);
 srand(1);for(int i=0;i<M*K;i++)A[i]=rand()/(double)RAND_MAX-.5;for(int i=0;i<K*N;i++)B[i]=rand()/(double)RAND_MAX;
 for(int w=0;w<5;w++)cblas_dgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,M,N,K,1,A,K,B,N,0,C,N);
 double best=1e9;for(int r=0;r<30;r++){double t=now();cblas_dgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,M,N,K,1,A,K,B,N,0,C2,N);t=now()-t;if(t<best)best=t;}
 /* dW = dZ (20x209) * A^T (209x12288) */
 double *D=malloc(8*M*K); double bw=1e9; for(int r=0;r<30;r++){double t=now();cblas_dgemm(CblasRowMajor,CblasNoTrans,CblasTrans,M,K,N,1,C,N,B,N,0,D,K);t=now()-t;if(t<bw)bw=t;}
 printf("fwd %.3f ms  dW %.3f ms  same=%d\n",best*1e3,bw*1e3,memcmp(C,C2,8*M*N)==0);}
