# Loss at each position of the longest evaluation windows (the PG-19 style figure), one line
# per encoding (mean over seeds), the training length marked by a dashed vertical line: a
# model that extrapolates keeps its loss flat (or falling) past the training length.
#
#   gnuplot -e "data='P.dat'; encodings='rope pope'; train_len=128; \
#               out='results/x/positions'" plots/positions.gp
#
# data: one index block per line (blocks separated by two blank lines), each starting with a
#       header line whose first field is the legend entry, then rows `position loss`.
# encodings, dashes: per block, its encoding (colour, plots/colors.gp) and dash type.
# train_len: training length in tokens (0: unknown, no line). Optional: title, set (the
#       evaluation set's name, for the title).
# Writes out.png and out.svg. `posbench plot` writes data from the runs' positions.csv.
_s = ARG0; _i = strlen(_s)
while (_i > 0 && substr(_s, _i, _i) ne "/") { _i = _i - 1 }
plots_dir = _i > 1 ? substr(_s, 1, _i - 1) : (_i == 1 ? "/" : ".")
load plots_dir."/colors.gp"
if (!exists("data") || !exists("encodings") || !exists("out")) {
    exit error "positions.gp: set data, encodings and out with -e (see the header)"
}
if (!exists("dashes")) dashes = ""
if (!exists("train_len")) train_len = 0
if (!exists("title")) title = "loss per position"
dash(i) = i <= words(dashes) ? int(word(dashes, i)) : 1
n = words(encodings)

set title title."\nmean over seeds and evaluation windows"
set xlabel "position in the evaluation window (tokens)"
set ylabel "loss at that position (nats/token)"
set grid xtics ytics lc rgb "#DDDDDD"
set border 3
set xtics nomirror
set ytics nomirror
set xrange [0:*]
set autoscale xfixmax
set key outside right top vertical reverse Left noautotitle title "encoding" width 2
if (train_len > 0) {
    set arrow 1 from train_len, graph 0 to train_len, graph 1 nohead dt 2 lw 1.5 lc rgb "#444444"
    set label 1 sprintf(" training length %g", train_len) at train_len, graph 0.97 left \
        font ",9" tc rgb "#444444"
}

do for [fmt in "png svg"] {
    call plots_dir."/terminal.gp" fmt 760 480 out
    plot for [i = 1:n] data index (i - 1) using 1:2 with lines \
             lc rgb enc_color(word(encodings, i)) dt dash(i) lw 1.5 title columnheader(1)
    set output
}
