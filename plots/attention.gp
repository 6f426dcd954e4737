# Attention heatmaps of one example sequence: a grid of panels, one row per layer and one
# column per head; in each, query position on y (top to bottom), key position on x, colour
# the attention probability. Causal attention leaves the upper triangle empty (grey);
# bidirectional attention fills it. The tokens label the axes when the sequence is short
# enough to read them (at most max_labels).
#
#   gnuplot -e "data='results/x/plots/attention_ID.dat'; out='results/x/runs/ID/attention'" \
#           plots/attention.gp
#
# data: whitespace-separated rows `layer head query key prob query_code key_code`, one per
#       (layer, head, query, key it sees), codes the tokens' byte values (-1: not one byte).
#       `posbench plot` writes it from the run's attention.csv (`posbench attn`), whose quoted
#       tokens (",") gnuplot's CSV reading cannot split.
# Optional: title, max_labels (default 48). Writes out.png and out.svg.
_s = ARG0; _i = strlen(_s)
while (_i > 0 && substr(_s, _i, _i) ne "/") { _i = _i - 1 }
plots_dir = _i > 1 ? substr(_s, 1, _i - 1) : (_i == 1 ? "/" : ".")
if (!exists("data") || !exists("out")) {
    exit error "attention.gp: set data and out with -e (see the header)"
}
if (!exists("title")) title = "attention probabilities"
if (!exists("max_labels")) max_labels = 48

stats data using 1 nooutput
n_layers = int(STATS_max) + 1
stats data using 2 nooutput
n_heads = int(STATS_max) + 1
stats data using 3 nooutput
n_tokens = int(STATS_max) + 1
labelled = n_tokens <= max_labels

# Token labels by position, read from layer 0 head 0: the last query's row has every key.
tok_label(c) = c == 32 ? "sp" : c == 10 ? "\\n" : (c < 33 || c > 126) ? "?" : sprintf("%c", c)
array tok[n_tokens]
stats data using ($1 == 0 && $2 == 0 && $3 == n_tokens - 1 ? \
                  (tok[int($4) + 1] = tok_label(int($7)), 0) : 0) nooutput

# Panels of about 260 px (smaller when there are many), room for the title and colour bar.
panel = n_heads * n_layers > 16 ? 180 : 260
width = 80 + n_heads * panel + 90
height = 85 + n_layers * (panel + 20)

set palette defined (0 "#FFFFFF", 0.15 "#C6DBEF", 0.5 "#4292C6", 1 "#08306B")
set cbrange [0:1]
set cbtics 0, 0.25, 1 font ",8"
set cblabel "attention probability" font ",9"
set xrange [-0.5:n_tokens - 0.5]
set yrange [n_tokens - 0.5:-0.5]
set size ratio -1
tic_font = labelled && n_tokens > 24 ? ",6" : ",8"
set tics scale 0 font tic_font
set style fill solid 1.0 noborder
set border lw 0.5
# Grey behind the cells: the masked upper triangle must not look like probability 0 (white).
set object 1 rectangle from graph 0, 0 to graph 1, 1 behind fc rgb "#E8E8E8" fs solid noborder
unset key
if (labelled) {
    set xtics () ; set ytics ()
    do for [k = 1:n_tokens] { set xtics add (tok[k] k - 1); set ytics add (tok[k] k - 1) }
} else {
    set xtics autofreq ; set ytics autofreq
}

do for [fmt in "png svg"] {
    call plots_dir."/terminal.gp" fmt width height out
    set multiplot layout n_layers, n_heads title title \
        margins char 8, screen (1.0 - 90.0 / width), char 3, screen (1.0 - 75.0 / height) \
        spacing char 6, char 5
    do for [l = 0:n_layers - 1] {
        do for [h = 0:n_heads - 1] {
            set title sprintf("layer %d, head %d", l, h) font ",9"
            set xlabel (l == n_layers - 1 ? "key position (token)" : "") font ",9"
            set ylabel (h == 0 ? "query position (token)" : "") font ",9"
            if (h == n_heads - 1) { set colorbox } else { unset colorbox }
            plot data using ($1 == l && $2 == h ? $4 : NaN):3:(0.5):(0.5):5 \
                     with boxxyerror fc palette
        }
    }
    unset multiplot
    set output
}
