#include "harness/train/toy_task.h"

void toy_copy_batch(batch *b, int n_symbols, int offset, rng *r) {
    for (int i = 0; i < b->B; i++) {
        int32_t *tok = b->tokens + (size_t)i * b->T;
        int32_t *tgt = b->targets + (size_t)i * b->T;
        uint8_t *mask = b->mask + (size_t)i * b->T;
        for (int t = 0; t < b->T; t++) tok[t] = (int32_t)rng_below(r, (uint32_t)n_symbols);
        for (int t = 0; t < b->T; t++) {
            mask[t] = t >= offset;
            tgt[t] = t >= offset ? tok[t - offset] : 0;
        }
    }
    batch_default_positions(b);
}
