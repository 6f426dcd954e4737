// libFuzzer harness for the dataset reader (make fuzz): any bytes as a .pbds file.
// dataset_load must refuse what is not a valid file with a message, never crash, leak or
// read out of bounds (ASan + UBSan); an accepted file's sequences are walked end to end.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tasks/dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char path[64];
    if (!path[0]) snprintf(path, sizeof path, "/dev/shm/posbench_fuzz_data_%d.pbds", getpid());
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    fwrite(data, 1, size, f);
    fclose(f);
    char err[1024];
    dataset *d = dataset_load(path, err, sizeof err);
    if (!d) return 0;
    // Every accepted sequence lies inside the token array and uses the vocabulary.
    volatile unsigned long touched = 0;  // reads every mask byte, so ASan sees each access
    for (size_t s = 0; s < d->n_seqs; s++)
        for (size_t i = d->offsets[s]; i < d->offsets[s + 1]; i++) {
            if (d->tokens[i] >= d->vocab_size) abort();
            touched += d->mask[i];
        }
    (void)touched;
    dataset_free(d);
    return 0;
}
