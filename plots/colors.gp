# The one colour of each encoding, shared by every plot (loaded by each script): a reader who
# learns "PoPE is red" in one figure can trust it in all of them. Unknown names get black.
# Hues follow the Tableau 10 palette, which stays distinguishable for most colour-blind readers.
enc_base_color(name) = \
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

# NAME~K (posbench plot: the K-th other option setting of encoding NAME) is a shade of NAME's
# colour: darker for odd K, lighter for even K, further from it as K grows.
_tilde(name) = strstrt(name, "~")
_shade_channel(c, k) = k % 2 ? int(c * 0.62 ** ((k + 1) / 2)) : \
    int(255 - (255 - c) * 0.55 ** (k / 2))
_shade(c, k) = k == 0 ? c : \
    (_shade_channel((c >> 16) & 255, k) << 16) | (_shade_channel((c >> 8) & 255, k) << 8) | \
    _shade_channel(c & 255, k)
enc_color(name) = _tilde(name) > 0 ? \
    _shade(enc_base_color(name[1:_tilde(name) - 1]), int(name[_tilde(name) + 1:])) : \
    enc_base_color(name)

# The same colour as a "#AARRGGBB" string with alpha (0 opaque .. 255 invisible), for bands
# and for the many overlapping lines of training curves.
enc_color_alpha(name, alpha) = sprintf("#%02X%06X", alpha, enc_color(name))
