# Answer accuracy per group (posbench groups): accuracy (%) against the group the task gives
# each answer (indirect_indexing: the shift; probe_where: k, the position from the end), one
# panel per evaluation set, one line per encoding (mean over seeds) inside a shaded 95%
# confidence band, one legend for all panels. The figure is plots/learning.gp's with groups
# on x, so it is drawn by that script.
#
#   gnuplot -e "data='G.dat'; encodings='pope rope'; dashes='1 1'; sets='test'; \
#               counts='2'; group_name='shift'; out='results/x/groups'" plots/groups.gp
#
# data: one index block per (set, line), as learning.gp reads it, with rows
#       `group mean lo hi n` (accuracy in percent) sorted by group.
# encodings, dashes, sets, counts: as in learning.gp. group_name: what the groups are (the x
# axis's label). Optional: title; baseline, as in learning.gp: rows `group no_lookup`, what a
# model that looks nothing up scores (posbench groups). Writes out.png and out.svg.
# `posbench plot` writes data and baseline from the runs' groups.csv.
_s = ARG0; _i = strlen(_s)
while (_i > 0 && substr(_s, _i, _i) ne "/") { _i = _i - 1 }
_dir = _i > 1 ? substr(_s, 1, _i - 1) : (_i == 1 ? "/" : ".")
if (!exists("data") || !exists("encodings") || !exists("sets") || !exists("counts") || \
    !exists("out")) {
    exit error "groups.gp: set data, encodings, sets, counts and out with -e (see the header)"
}
if (!exists("group_name")) group_name = "group"
if (!exists("title")) title = "answer accuracy per ".group_name
xlabel = group_name
x_axis = "group"
metric = "accuracy"
load _dir."/learning.gp"
