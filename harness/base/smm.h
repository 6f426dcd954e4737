// Small matrix products through libxsmm's JIT kernels (AVX-512 where the CPU has it, whatever
// kernels OpenBLAS picked): at the main job's shapes they run at about twice the speed of
// OpenBLAS 0.3.21 with its Haswell kernels, without its packing and per-call overhead.
// Each element of C is summed over k in the same order whatever n-blocking a caller uses, so
// splitting columns of C across threads leaves results bit-identical.
#ifndef POSBENCH_SMM_H
#define POSBENCH_SMM_H

// A kernel for column-major C (m x n, ldc) = A (m x k, lda) . op(B) + beta C, op(B) = B
// (k x n, ldb) or, with trans_b, B^T for B (n x k, ldb); beta is 0 (C is written, not read)
// or 1.
typedef struct smm_kernel {
    void (*f)(const float *a, const float *b, float *c, ...);
} smm_kernel;

// 0 with the kernel in *k, or -1 when libxsmm has none for it (use cblas_sgemm instead).
int smm_get(smm_kernel *kern, int m, int n, int k, int lda, int ldb, int ldc, float beta,
            int trans_b);

static inline void smm_run(const smm_kernel *kern, const float *a, const float *b, float *c) {
    kern->f(a, b, c);
}

// smm_get then smm_run; -1 (nothing written) when there is no kernel.
int smm(int m, int n, int k, const float *a, int lda, const float *b, int ldb, float *c, int ldc,
        float beta, int trans_b);

#endif
