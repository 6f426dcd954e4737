# Accuracy per encoding: one bar per encoding (mean over seeds) with its 95% confidence
# interval as an error bar, bars clustered by task / evaluation set.
#
#   gnuplot -e "data='A.dat'; ticks='T.dat'; encodings='rope pope'; out='results/x/accuracy'" \
#           [-e "title='...'"] plots/accuracy.gp
#
# data: one index block per encoding (blocks separated by two blank lines), each starting with a
#       header line whose first field is the legend entry, then rows `x mean lo hi n` in percent
#       (lo = hi = mean when n < 2: no interval, no error bar).
# ticks: rows `x "cluster label"`, the centre of each cluster.
# encodings: the encoding of each block, in order, for its colour (plots/colors.gp).
# Optional: title, xlabel, ylabel; baseline: a file with rows `x0 x1 percent`, a dashed line
# from x0 to x1 at what a model that looks nothing up scores on that cluster's set.
# Writes out.png and out.svg. `posbench plot` writes data and ticks from summary.csv, and
# baseline from the runs' groups.csv (posbench groups) when they share their evaluation data.
_s = ARG0; _i = strlen(_s)
while (_i > 0 && substr(_s, _i, _i) ne "/") { _i = _i - 1 }
plots_dir = _i > 1 ? substr(_s, 1, _i - 1) : (_i == 1 ? "/" : ".")
load plots_dir."/colors.gp"
if (!exists("data") || !exists("ticks") || !exists("encodings") || !exists("out")) {
    exit error "accuracy.gp: set data, ticks, encodings and out with -e (see the header)"
}
if (!exists("title")) title = "accuracy per encoding"
if (!exists("xlabel")) xlabel = "task / evaluation set"
if (!exists("ylabel")) ylabel = "accuracy (%)"
if (!exists("baseline")) baseline = ""
# 1 or 0: the iteration count of the baseline's clause below. gnuplot opens a clause's file
# even when it iterates zero times, so without a baseline it names data (never drawn).
has_baseline = baseline ne "" ? 1 : 0
baseline_file = has_baseline ? baseline : data

n_enc = words(encodings)
stats ticks using 1 nooutput
n_clusters = STATS_records
x_max = STATS_max + (n_enc + 1) / 2.0
width = 220 + n_clusters * (40 * n_enc + 60)
width = width < 640 ? 640 : width

set title title."\nbars: mean over seeds; error bars: 95% confidence interval of the mean"
set ylabel ylabel
set xlabel xlabel
set yrange [0:105]
set ytics 0, 20, 100 nomirror
set grid ytics lc rgb "#DDDDDD"
set xrange [-1:x_max]
set xtics nomirror scale 0
set border 3
set key outside right top vertical reverse Left noautotitle title "encoding" width 2
set boxwidth 0.85
set style fill solid 0.9 border rgb "#333333"

do for [fmt in "png svg"] {
    call plots_dir."/terminal.gp" fmt width 480 out
    plot for [i = 1:n_enc] data index (i - 1) using 1:2 with boxes \
             lc rgb enc_color(word(encodings, i)) title columnheader(1), \
         for [i = 1:n_enc] data index (i - 1) using 1:3:(0):($4 > $3 ? $4 - $3 : NaN) \
             with vectors heads size screen 0.008,90 lc rgb "black" lw 1.5 notitle, \
         for [i = 1:n_enc] data index (i - 1) using 1:($4 + 3):(sprintf("%.0f", $2)) \
             with labels font ",8" notitle, \
         ticks using 1:(NaN):xtic(2) notitle, \
         for [i = 1:has_baseline] baseline_file using 1:3:($2 - $1):(0) with vectors nohead \
             dt 2 lw 2 lc rgb "#555555" title "no-lookup baseline"
    set output
}
