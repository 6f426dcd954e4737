# Opens one output of a plot: `call plots_dir."/terminal.gp" FORMAT WIDTH HEIGHT BASE` sets the
# terminal (png: pngcairo, svg: svg) at WIDTH x HEIGHT pixels and writes BASE.FORMAT.
# noenhanced: names such as probe_where or len_128 must print as written, not as subscripts.
if (ARG1 eq "png") {
    set terminal pngcairo size @ARG2,@ARG3 font "DejaVu Sans,10" noenhanced background "white"
} else {
    set terminal svg size @ARG2,@ARG3 font "DejaVu Sans,10" noenhanced background "white"
}
set output ARG4.".".ARG1
