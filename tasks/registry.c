// The registry of built-in tasks and the option handling every task shares.
#include "task.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness/base/errors.h"
#include "harness/base/names.h"

extern const task_ops task_indirect_indexing, task_probe_where, task_probe_what;
// The length-generalisation suite (tasks/lengthgen/), in its paper's order: regular,
// context-free, context-sensitive.
extern const task_ops task_even_pairs, task_modular_arithmetic, task_parity_check,
    task_cycle_navigation;
extern const task_ops task_stack_manipulation, task_reverse_string,
    task_modular_arithmetic_brackets, task_solve_equation;
extern const task_ops task_duplicate_string, task_missing_duplicate_string, task_odds_first,
    task_binary_addition, task_binary_multiplication, task_compute_sqrt, task_bucket_sort;

const task_ops *const task_registry[] = {
    &task_indirect_indexing, &task_probe_where, &task_probe_what,
    &task_even_pairs, &task_modular_arithmetic, &task_parity_check, &task_cycle_navigation,
    &task_stack_manipulation, &task_reverse_string, &task_modular_arithmetic_brackets,
    &task_solve_equation,
    &task_duplicate_string, &task_missing_duplicate_string, &task_odds_first,
    &task_binary_addition, &task_binary_multiplication, &task_compute_sqrt, &task_bucket_sort,
    NULL};

const task_ops *task_find(const char *name) {
    for (int i = 0; task_registry[i]; i++)
        if (strcmp(task_registry[i]->name, name) == 0) return task_registry[i];
    return NULL;
}

static int unknown_task(const char *name, char *err, size_t errlen) {
    enum { MAX_NAMES = 64 };
    const char *names[MAX_NAMES];
    int n = 0;
    for (const task_ops *const *p = task_registry; *p && n < MAX_NAMES; p++) names[n++] = (*p)->name;
    return unknown_name("task", name, names, n, err, errlen);
}

int task_configure(task *out, const char *name, const char *options, char *err, size_t errlen) {
    if (err && errlen) err[0] = '\0';
    if (!name) return set_error(err, errlen, "no task named");
    const task_ops *ops = task_find(name);
    if (!ops) return unknown_task(name, err, errlen);
    task cfg = {.ops = ops};
    char owner[64];
    snprintf(owner, sizeof owner, "task '%s'", name);
    if (options_parse(owner, ops->options, ops->n_options, options, cfg.opt, err, errlen) != 0)
        return -1;
    if (ops->validate && ops->validate(&cfg, err, errlen) != 0) return -1;
    *out = cfg;
    return 0;
}

int task_check_integers(const task *t, const int *options, int n, char *err, size_t errlen) {
    for (int k = 0; k < n; k++) {
        const double v = t->opt[options[k]];
        if (v != floor(v))
            return set_error(err, errlen, "task '%s': option '%s' = %g must be an integer",
                             t->ops->name, t->ops->options[options[k]].name, v);
    }
    return 0;
}

void task_format_options(const task *t, char *buf, size_t len) {
    options_format_quiet(t->ops->options, t->ops->n_options, t->ops->first_quiet_option, t->opt,
                         buf, len);
}
