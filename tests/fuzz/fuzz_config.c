// libFuzzer harness for the experiment loader (make fuzz): any bytes as an experiment file.
// experiment_load must either accept them or return -1 with a message, never crash, leak or
// read out of bounds (ASan + UBSan); an accepted file is expanded and its runs formatted.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness/experiment/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    // The loader reads a path; a private file under /dev/shm keeps this fast.
    static char path[64];
    if (!path[0]) snprintf(path, sizeof path, "/dev/shm/posbench_fuzz_config_%d.yaml", getpid());
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    fwrite(data, 1, size, f);
    fclose(f);
    experiment e;
    char err[1024];
    if (experiment_load(path, &e, err, sizeof err) != 0) return 0;
    run_config *runs = NULL;
    size_t n = 0;
    if (experiment_expand(&e, &runs, &n, err, sizeof err) == 0) {
        FILE *null = fopen("/dev/null", "w");
        for (size_t i = 0; i < n && i < 4 && null; i++) run_config_format(&runs[i], null);
        if (null) fclose(null);
        free(runs);
    }
    experiment_free(&e);
    return 0;
}
