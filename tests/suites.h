// Every Check suite of the project; tests/main.c runs them all in one runner.
#ifndef POSBENCH_TEST_SUITES_H
#define POSBENCH_TEST_SUITES_H

#include <check.h>

Suite *suite_rng(void);
Suite *suite_layers(void);
Suite *suite_fastmath(void);
Suite *suite_encodings(void);
Suite *suite_encodings_more(void);
Suite *suite_attention(void);
Suite *suite_model(void);
Suite *suite_adamw(void);
Suite *suite_checkpoint(void);
Suite *suite_train(void);
Suite *suite_tasks(void);
Suite *suite_lengthgen(void);
Suite *suite_lengthgen_arithmetic(void);
Suite *suite_lengthgen_strings(void);
Suite *suite_lengthgen_numbers(void);
Suite *suite_probes(void);
Suite *suite_data_feed(void);
Suite *suite_cli_train(void);
Suite *suite_books(void);
Suite *suite_summary(void);
Suite *suite_config(void);
Suite *suite_run(void);
Suite *suite_selection(void);
Suite *suite_lengths(void);
Suite *suite_inspect(void);
Suite *suite_groups(void);
Suite *suite_plot(void);
Suite *suite_plot_learning(void);
Suite *suite_plot_groups(void);
Suite *suite_plot_lengths(void);
Suite *suite_bad_input(void);
Suite *suite_score(void);
Suite *suite_cli_main(void);
Suite *suite_reference(void);

#endif
