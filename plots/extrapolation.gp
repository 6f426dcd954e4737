# Length extrapolation: loss or perplexity versus evaluation length (log x), one line per
# encoding (mean over seeds) with its 95% confidence interval as a shaded band, the training
# length marked by a dashed vertical line.
#
#   gnuplot -e "data='E.dat'; encodings='rope pope'; dashes='1 1'; train_len=128; \
#               ylabel='perplexity'; out='results/x/extrapolation_perplexity'" plots/extrapolation.gp
#
# data: one index block per line (blocks separated by two blank lines), each starting with a
#       header line whose first field is the legend entry, then rows `length mean lo hi`
#       sorted by length (lo = hi = mean when there is no interval).
# encodings, dashes: per block, its encoding (colour, plots/colors.gp) and dash type (1 solid;
#       2, 3, ... tell apart lines of one encoding, e.g. one per task).
# train_len: training length in tokens (0: unknown, no line). Optional: title, ylabel, logy
#       (1: log-scale y, for perplexities that grow by orders of magnitude past train_len).
# Writes out.png and out.svg. `posbench plot` writes data from summary.csv (sets len_N).
_s = ARG0; _i = strlen(_s)
while (_i > 0 && substr(_s, _i, _i) ne "/") { _i = _i - 1 }
plots_dir = _i > 1 ? substr(_s, 1, _i - 1) : (_i == 1 ? "/" : ".")
load plots_dir."/colors.gp"
if (!exists("data") || !exists("encodings") || !exists("out")) {
    exit error "extrapolation.gp: set data, encodings and out with -e (see the header)"
}
if (!exists("dashes")) dashes = ""
if (!exists("train_len")) train_len = 0
if (!exists("title")) title = "length extrapolation"
if (!exists("ylabel")) ylabel = "loss (nats/token)"
if (!exists("logy")) logy = 0
dash(i) = i <= words(dashes) ? int(word(dashes, i)) : 1
n = words(encodings)

set title title."\nlines: mean over seeds; bands: 95% confidence interval of the mean"
set xlabel "evaluation length (tokens, log scale)"
set ylabel ylabel
set logscale x 2
if (logy) set logscale y
set grid xtics ytics lc rgb "#DDDDDD"
set border 3
set xtics nomirror
set ytics nomirror
set key outside right top vertical reverse Left noautotitle title "encoding" width 2
set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05
if (train_len > 0) {
    set arrow 1 from train_len, graph 0 to train_len, graph 1 nohead dt 2 lw 1.5 lc rgb "#444444"
    set label 1 sprintf(" training length %g", train_len) at train_len, graph 0.97 left \
        font ",9" tc rgb "#444444"
}

do for [fmt in "png svg"] {
    call plots_dir."/terminal.gp" fmt 760 480 out
    plot for [i = 1:n] data index (i - 1) using 1:3:4 with filledcurves \
             fc rgb enc_color_alpha(word(encodings, i), 210) notitle, \
         for [i = 1:n] data index (i - 1) using 1:2:xtic(sprintf("%g", $1)) with linespoints \
             lc rgb enc_color(word(encodings, i)) dt dash(i) lw 2 pt 7 ps 0.8 \
             title columnheader(1)
    set output
}
