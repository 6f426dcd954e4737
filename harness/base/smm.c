#include "harness/base/smm.h"

#include <libxsmm.h>

int smm_get(smm_kernel *kern, int m, int n, int k, int lda, int ldb, int ldc, float beta,
            int trans_b) {
    const libxsmm_blasint M = m, N = n, K = k, LDA = lda, LDB = ldb, LDC = ldc;
    const float alpha = 1.0f;
    const int flags = (trans_b ? LIBXSMM_GEMM_FLAG_TRANS_B : 0) |
                      (beta == 0.0f ? LIBXSMM_GEMM_FLAG_BETA_0 : 0);
    // A lookup in libxsmm's registry; the kernel is generated the first time only.
    libxsmm_smmfunction f = libxsmm_smmdispatch(M, N, K, &LDA, &LDB, &LDC, &alpha, &beta, &flags,
                                                NULL);
    kern->f = f;
    return f ? 0 : -1;
}

int smm(int m, int n, int k, const float *a, int lda, const float *b, int ldb, float *c, int ldc,
        float beta, int trans_b) {
    smm_kernel kern;
    if (smm_get(&kern, m, n, k, lda, ldb, ldc, beta, trans_b) != 0) return -1;
    smm_run(&kern, a, b, c);
    return 0;
}
