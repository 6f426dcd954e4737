# The one colour of each encoding, shared by every plot (loaded by each script): a reader who
# learns "PoPE is red" in one figure can trust it in all of them. Unknown names get black.
# Hues follow the Tableau 10 palette, which stays distinguishable for most colour-blind readers.
enc_color(name) = \
    name eq "nope"       ? 0x7F7F7F : \
    name eq "sinusoidal" ? 0x8C564B : \
    name eq "learned"    ? 0xBCBD22 : \
    name eq "rope"       ? 0x1F77B4 : \
    name eq "pope"       ? 0xD62728 : \
    name eq "tapa"       ? 0x2CA02C : \
    name eq "alibi"      ? 0xFF7F0E : \
    name eq "t5"         ? 0x9467BD : \
    name eq "kerple"     ? 0xE377C2 : \
    name eq "fire"       ? 0x17BECF : \
    name eq "xpos"       ? 0x393B79 : \
    0x000000

# The same colour as a "#AARRGGBB" string with alpha (0 opaque .. 255 invisible), for bands
# and for the many overlapping lines of training curves.
enc_color_alpha(name, alpha) = sprintf("#%02X%06X", alpha, enc_color(name))
