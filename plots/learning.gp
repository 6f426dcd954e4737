# Learning curves: an evaluation metric versus optimizer step, one panel per evaluation set
# (side by side in one figure, on one y scale, so "test" and "longer" compare at a glance),
# one line per encoding (mean over seeds) inside a shaded 95% confidence band, one legend for
# all panels.
#
#   gnuplot -e "data='L.dat'; encodings='pope rope pope rope'; dashes='1 1 1 1'; \
#               sets='test longer'; counts='2 2'; metric='accuracy'; \
#               out='results/x/learning'" plots/learning.gp
#
# data: one index block per (set, line), blocks separated by two blank lines, panel after
#       panel; each starts with a header line whose first field is the legend entry ("" when
#       an earlier panel already listed that line), then rows `step mean lo hi n` sorted by
#       step (lo = hi = mean when there is no interval).
# encodings, dashes: per block, its encoding (colour, plots/colors.gp) and dash type.
# sets, counts: per panel, its evaluation set (the panel's title) and how many blocks it has.
# metric: accuracy (in percent, y from 0) or loss (nats/token). Optional: title; xlabel
# (default "optimizer step"); x_axis "step" (default: x from 0 to the last step), "group"
# (integer groups, x over the data's range; plots/groups.gp draws its figure this way) or
# "value" (a swept key's values, x over their range, on a log scale when they span 10x);
# baseline: a data file with one index block per panel, rows `x value`, drawn in every panel
# as a black dotted line titled baseline_title (default "no-lookup baseline"); x_axis
# "length" (accuracy against length: x from 0 to the longest) with shades, per panel the
# last x of the training range, drawn as a grey band from 0.
# Writes out.png and out.svg. `posbench plot` writes data from the runs' eval.csv.
_s = ARG0; _i = strlen(_s)
while (_i > 0 && substr(_s, _i, _i) ne "/") { _i = _i - 1 }
plots_dir = _i > 1 ? substr(_s, 1, _i - 1) : (_i == 1 ? "/" : ".")
load plots_dir."/colors.gp"
if (!exists("data") || !exists("encodings") || !exists("sets") || !exists("counts") || \
    !exists("metric") || !exists("out")) {
    exit error "learning.gp: set data, encodings, sets, counts, metric and out with -e (see the header)"
}
if (!exists("dashes")) dashes = ""
if (!exists("title")) title = "learning curves"
if (!exists("xlabel")) xlabel = "optimizer step"
if (!exists("x_axis")) x_axis = "step"
if (!exists("baseline")) baseline = ""
if (!exists("baseline_title")) baseline_title = "no-lookup baseline"
if (!exists("shades")) shades = ""
# 1 or 0: the iteration count of the baseline's plot clauses below. gnuplot opens a clause's
# file even when it iterates zero times, so without a baseline they name data (never drawn).
has_baseline = baseline ne "" ? 1 : 0
baseline_file = has_baseline ? baseline : data
dash(i) = i <= words(dashes) ? int(word(dashes, i)) : 1
n = words(encodings)
n_sets = words(sets)
# Panel p draws blocks first(p) .. last(p).
first(p) = p == 1 ? 1 : 1 + sum [k = 1:p - 1] int(word(counts, k))
last(p) = first(p) + int(word(counts, p)) - 1

# At most three panels a row; the legend gets a column of its own on the right, wide enough
# for the longest entry (about 7 px a character, the line sample and a margin).
stats data using (strlen(strcol(1))) nooutput
key_w = 100 + 7 * STATS_max
key_w = key_w < 180 ? 180 : key_w
key_w = has_baseline && 100 + 7 * strlen(baseline_title) > key_w ? \
    100 + 7 * strlen(baseline_title) : key_w
cols = n_sets < 3 ? n_sets : 3
rows = (n_sets + cols - 1) / cols
panel_w = 400 ; panel_h = 340 ; top = 80
width = cols * panel_w + key_w
height = top + rows * panel_h

# Every panel on one scale: steps from 0 (groups over their range, half a group to spare),
# y over every band of every panel.
stats data using 1 nooutput
x_max = STATS_max
x_min = STATS_min
# Groups are integers: a tic at each while they are few, else every fifth.
x_step = x_max - x_min <= 16 ? 1 : 5
# (One column at a time: stats on two columns fits a line and warns about too few points.)
stats data using 3 nooutput
y_min = STATS_min
stats data using 4 nooutput
y_max = STATS_max
if (has_baseline) {
    stats baseline using 2 nooutput
    y_max = STATS_max > y_max ? STATS_max : y_max
}
if (y_max <= y_min) { y_min = y_min - 0.5 ; y_max = y_max + 0.5 }
pad = 0.05 * (y_max - y_min)
if (metric eq "accuracy") {
    # From 0 to the highest band, not to 100 %: near-chance curves would lie flat on the axis.
    ylabel = "accuracy (%)"
    set yrange [0:(y_max + pad > 100 ? 100 : y_max + pad)]
} else {
    ylabel = "loss (nats/token)"
    set yrange [y_min - pad:y_max + pad]
}
log_x = x_axis eq "value" && x_min > 0 && x_max >= 10 * x_min
if (x_axis eq "group") { set xrange [x_min - 0.5:x_max + 0.5] }
if (x_axis eq "step" || x_axis eq "length") { set xrange [0:x_max] }
if (x_axis eq "value" && log_x) { set logscale x ; set xrange [x_min / 1.5:x_max * 1.5] }
if (x_axis eq "value" && !log_x) {
    x_pad = x_max > x_min ? 0.05 * (x_max - x_min) : 0.5
    set xrange [x_min - x_pad:x_max + x_pad]
}

do for [fmt in "png svg"] {
    call plots_dir."/terminal.gp" fmt width height out
    set multiplot layout rows, cols \
        title title."\nlines: mean over seeds; bands: 95% confidence interval of the mean". \
            (shades ne "" ? "; grey: the training lengths" : "") \
        margins char 10, screen (1.0 * cols * panel_w / width), char 4, \
        screen (1.0 - top / (1.0 * height)) spacing char 10, char 6
    # (Set here, not once: the legend below unsets them, and the SVG pass comes after.)
    set border 3 ; set xtics nomirror ; set ytics nomirror ; unset key
    if (x_axis eq "group") { set xtics x_step }
    set grid xtics ytics lc rgb "#DDDDDD"
    set xlabel xlabel ; set ylabel ylabel
    do for [p = 1:n_sets] {
        set title (x_axis eq "length" ? "" : "evaluation set ").word(sets, p)
        if (p <= words(shades)) {
            set object 1 rect from first 0, graph 0 to first (word(shades, p) + 0.5), graph 1 \
                fc rgb "#E8E8E8" fs solid 1.0 noborder behind
        }
        plot for [i = first(p):last(p)] data index (i - 1) using 1:3:4 with filledcurves \
                 fc rgb enc_color_alpha(word(encodings, i), 210) notitle, \
             for [i = first(p):last(p)] data index (i - 1) using 1:2 with linespoints \
                 lc rgb enc_color(word(encodings, i)) dt dash(i) lw 2 pt 7 ps 0.6 notitle, \
             for [j = 1:has_baseline] baseline_file index (p - 1) using 1:2 with lines \
                 lc rgb "black" dt 3 lw 2 notitle
        unset object 1
    }
    # The legend: a plot of nothing (NaN at every step) over the right-hand column, taking
    # its entries from the blocks' headers.
    unset title ; unset xlabel ; unset ylabel ; unset xtics ; unset ytics ; unset border
    unset grid
    set key at screen (1.0 * cols * panel_w + 20) / width, screen 1.0 - top / (1.0 * height) \
        left top vertical reverse Left title "encoding"
    plot for [i = 1:n] data index (i - 1) using 1:(NaN) with linespoints \
             lc rgb enc_color(word(encodings, i)) dt dash(i) lw 2 pt 7 ps 0.6 \
             title columnheader(1), \
         for [j = 1:has_baseline] baseline_file index 0 using 1:(NaN) with lines \
             lc rgb "black" dt 3 lw 2 title baseline_title
    unset multiplot
    set output
}
