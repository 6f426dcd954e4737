# The length-generalisation suite's table as a picture: one cell per (task, encoding), its
# value the mean over seeds of a metric on the set "lengths" (accuracy beyond the training
# lengths, in percent), printed in the cell; white at 0 %, dark green at 100 %.
#
#   gnuplot -e "data='H.dat'; columns='rope pope'; rows='parity_check reverse_string'; \
#               title='...'; out='results/x/heatmap'" plots/heatmap.gp
#
# data: rows `column row value n` (column and row 0-based indices into columns and rows).
# columns, rows: the encodings and the tasks as gnuplot words ('_' for spaces).
# Writes out.png and out.svg. `posbench plot` writes data from summary.csv.
_s = ARG0; _i = strlen(_s)
while (_i > 0 && substr(_s, _i, _i) ne "/") { _i = _i - 1 }
plots_dir = _i > 1 ? substr(_s, 1, _i - 1) : (_i == 1 ? "/" : ".")
if (!exists("data") || !exists("columns") || !exists("rows") || !exists("out")) {
    exit error "heatmap.gp: set data, columns, rows and out with -e (see the header)"
}
if (!exists("title")) title = "accuracy beyond the training lengths (%)"
n_cols = words(columns)
n_rows = words(rows)
# Room for the task names on the left (about 7 px a character) and the encodings below.
left = 40
do for [k = 1:n_rows] { left = 7 * strlen(word(rows, k)) + 40 > left ? \
    7 * strlen(word(rows, k)) + 40 : left }
# The encodings are written at 30 degrees: a name of n characters reaches about 3.5 n px
# down, so the picture grows by the longest one instead of squashing the cells.
bottom = 40
do for [k = 1:n_cols] { bottom = 3.5 * strlen(word(columns, k)) + 30 > bottom ? \
    3.5 * strlen(word(columns, k)) + 30 : bottom }
top = 50
width = left + 90 * n_cols + 140
height = top + 36 * n_rows + bottom

do for [fmt in "png svg"] {
    call plots_dir."/terminal.gp" fmt width height out
    set title title
    set xrange [-0.5:n_cols - 0.5]
    set yrange [n_rows - 0.5:-0.5]
    set xtics () rotate by 30 right
    set ytics ()
    do for [k = 1:n_cols] { set xtics add (word(columns, k) k - 1) }
    do for [k = 1:n_rows] { set ytics add (word(rows, k) k - 1) }
    set tics scale 0
    set cbrange [0:100]
    set cblabel "%"
    set palette defined (0 "#FFFFFF", 50 "#8FD18F", 100 "#1B7837")
    set lmargin at screen 1.0 * left / width
    set bmargin at screen 1.0 * bottom / height
    set tmargin at screen 1.0 - 1.0 * top / height
    unset key
    plot data using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 lc palette, \
         data using 1:2:(sprintf("%.0f", $3)) with labels font ",9"
    set output
}
