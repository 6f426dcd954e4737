# Training curves: training loss versus optimizer step, one line per run, coloured by
# encoding (every seed of an encoding in its colour), so spread between seeds and a
# diverging run show at a glance.
#
#   gnuplot -e "data='T.dat'; encodings='rope rope pope pope'; out='results/x/training'" \
#           plots/training.gp
#
# data: one index block per run (blocks separated by two blank lines), each starting with a
#       header line whose first field is the legend entry ("" for every run after the first
#       of its group, so the legend lists each group once), then rows `step loss`.
# encodings, dashes: per block, its encoding (colour, plots/colors.gp) and dash type.
# Optional: title. Writes out.png and out.svg. `posbench plot` writes data from train.csv.
_s = ARG0; _i = strlen(_s)
while (_i > 0 && substr(_s, _i, _i) ne "/") { _i = _i - 1 }
plots_dir = _i > 1 ? substr(_s, 1, _i - 1) : (_i == 1 ? "/" : ".")
load plots_dir."/colors.gp"
if (!exists("data") || !exists("encodings") || !exists("out")) {
    exit error "training.gp: set data, encodings and out with -e (see the header)"
}
if (!exists("dashes")) dashes = ""
if (!exists("title")) title = "training curves"
dash(i) = i <= words(dashes) ? int(word(dashes, i)) : 1
n = words(encodings)

set title title."\none line per run (seeds share their encoding's colour)"
set xlabel "optimizer step"
set ylabel "training loss (nats/token)"
set grid xtics ytics lc rgb "#DDDDDD"
set border 3
set xtics nomirror
set ytics nomirror
set xrange [0:*]
set autoscale xfixmax
set key outside right top vertical reverse Left noautotitle title "encoding" width 2
# A sweep of many groups (the length-generalisation suite: 15 tasks x 9 encodings) would need
# a legend taller than the figure: the curves are drawn without it (the other plots name them).
if (n > 40) {
    unset key
    set title title."\none line per run, coloured by encoding (".n." runs: no legend)"
}

do for [fmt in "png svg"] {
    call plots_dir."/terminal.gp" fmt 760 480 out
    plot for [i = 1:n] data index (i - 1) using 1:2 with lines \
             lc rgb enc_color_alpha(word(encodings, i), 50) dt dash(i) lw 1.5 \
             title columnheader(1)
    set output
}
