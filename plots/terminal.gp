# Opens one output of a plot: `call plots_dir."/terminal.gp" FORMAT WIDTH HEIGHT BASE` sets the
# terminal (png: pngcairo, svg: svg) at WIDTH x HEIGHT pixels and writes BASE.FORMAT.
# noenhanced: names such as probe_where or len_128 must print as written, not as subscripts.
# png_scale (optional, default 1) scales the PNG as a whole, text and lines included: 0.75
# gives the README's small example images, 2 slides.
_scale = exists("png_scale") ? png_scale : 1
if (ARG1 eq "png") {
    _w = int(@ARG2 * _scale + 0.5) ; _h = int(@ARG3 * _scale + 0.5)
    set terminal pngcairo size _w,_h font "DejaVu Sans,10" fontscale _scale linewidth _scale \
        noenhanced background "white"
} else {
    set terminal svg size @ARG2,@ARG3 font "DejaVu Sans,10" noenhanced background "white"
}
set output ARG4.".".ARG1
