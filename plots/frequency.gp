# Frequency usage (the PoPE paper's analysis): for each layer (y) and frequency band (x, index
# 0 = the highest frequency), the share of the q/k norm that band carries, as a heatmap. An
# encoding that only uses a few bands shows a few dark columns.
#
#   gnuplot -e "data='runs/ID/frequency.csv'; out='runs/ID/frequency'" plots/frequency.gp
#
# data: the CSV `posbench freq` writes: header `layer,frequency,mass`, one row per (layer,
#       frequency), each layer's masses summing to 1. Optional: title. Writes out.png and out.svg.
_s = ARG0; _i = strlen(_s)
while (_i > 0 && substr(_s, _i, _i) ne "/") { _i = _i - 1 }
plots_dir = _i > 1 ? substr(_s, 1, _i - 1) : (_i == 1 ? "/" : ".")
if (!exists("data") || !exists("out")) {
    exit error "frequency.gp: set data and out with -e (see the header)"
}
if (!exists("title")) title = "frequency usage"

set datafile separator comma
stats data using 1 skip 1 nooutput
n_layers = int(STATS_max) + 1
stats data using 2 skip 1 nooutput
n_freq = int(STATS_max) + 1
stats data using (100 * $3) skip 1 nooutput
top = STATS_max > 0 ? STATS_max : 1

width = 200 + n_freq * (n_freq > 64 ? 6 : n_freq > 32 ? 12 : 24)
width = width < 560 ? 560 : width
height = 170 + n_layers * 40
height = height < 320 ? 320 : height

set title title."\nshare of each layer's q/k norm carried by each frequency band"
set xlabel "frequency index (0 = highest frequency)"
set ylabel "layer"
set cblabel "share of q/k norm (%)"
set palette defined (0 "#FFFFFF", 0.2 "#FDD49E", 0.5 "#FC8D59", 1 "#7F0000")
set cbrange [0:top]
set xrange [-0.5:n_freq - 0.5]
set yrange [-0.5:n_layers - 0.5]
set ytics 0, 1, n_layers - 1 scale 0
set xtics scale 0
set style fill solid 1.0 noborder
set border lw 0.5
unset key

do for [fmt in "png svg"] {
    call plots_dir."/terminal.gp" fmt width height out
    plot data skip 1 using 2:1:(0.5):(0.5):(100 * $3) with boxxyerror fc palette
    set output
}
