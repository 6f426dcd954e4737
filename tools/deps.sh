#!/bin/sh
# Installs the Debian packages posbench needs when run as root; otherwise prints the exact
# apt-get line and fails. The OpenMP build of OpenBLAS is chosen on purpose: it runs
# single-threaded inside our own OpenMP regions instead of oversubscribing the cores.
# Arguments name extra packages a target needs (make cppcheck, make valgrind).
set -eu
pkgs="build-essential check libsubunit-dev libyaml-dev gnuplot-nox libopenblas-openmp-dev libxsmm-dev pkg-config bible-kjv bible-kjv-text $*"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "posbench: missing packages; run: sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "posbench: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
