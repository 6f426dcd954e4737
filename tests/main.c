// The single test runner: every suite, CK_FORK on, non-zero exit when any check fails.
#include <stdlib.h>

#include "suites.h"

int main(void) {
    Suite *(*const suites[])(void) = {
        suite_rng, suite_fastmath, suite_layers, suite_encodings, suite_attention,
        suite_encodings_more,
        suite_model, suite_adamw,  suite_checkpoint, suite_train, suite_tasks, suite_lengthgen,
        suite_lengthgen_arithmetic, suite_lengthgen_strings, suite_lengthgen_numbers,
        suite_probes, suite_data_feed, suite_cli_train, suite_books,
        suite_summary,
        suite_config, suite_run, suite_selection, suite_lengths, suite_inspect, suite_groups,
        suite_plot, suite_plot_learning, suite_plot_groups, suite_plot_lengths,
        suite_bad_input,
        suite_score,
        suite_cli_main,
        suite_reference,
    };
    SRunner *sr = srunner_create(NULL);
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        srunner_add_suite(sr, suites[i]());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
