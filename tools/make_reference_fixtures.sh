#!/bin/sh
# Regenerates tests/fixtures/reference/: tiny trained checkpoints of every built-in encoding
# under both norms (and RoPE's three scalings, ALiBi at 3 heads), two evaluation datasets,
# and expected.csv, the loss and accuracy tools/reference.py (the float64 PyTorch reference
# written from docs/model.md) computes for every (checkpoint, dataset) pair. The Check suite
# `reference` (tests/test_reference.c) asserts that posbench's own evaluation reproduces them.
#
# Run from anywhere, after `make posbench`; needs PyTorch for /usr/bin/python3 (or $PYTHON).
# Every checkpoint is trained with `posbench train` at a learning rate high enough that every
# tensor, the encoding's parameters included, moves away from its init: the script checks
# that against the same model after one step of learning rate 1e-30, and checks that
# `posbench eval` agrees with the reference before writing anything.
set -eu
cd "$(dirname "$0")/.."
PB=./posbench
PYTHON=${PYTHON:-/usr/bin/python3}
OUT=tests/fixtures/reference
[ -x "$PB" ] || { echo "make_reference_fixtures.sh: build ./posbench first (make posbench)" >&2; exit 2; }
"$PYTHON" -c 'import torch' 2>/dev/null || {
    echo "make_reference_fixtures.sh: $PYTHON cannot import torch (Debian: python3-torch)" >&2
    exit 2
}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# The task: indirect indexing over 16 letters, repeats allowed, shifts up to 3. Training
# strings of 16-20 letters make sequences of 23-27 tokens (T up to 26); the long evaluation
# set's 85-101 letters make 92-108 tokens (T up to 107), about 4x.
TASK=indirect_indexing
OPTS=alphabet=16,shift_max=3,distinct=0
"$PB" gen $TASK --options $OPTS,len_min=16,len_max=20 --seed 1 -n 512 -o "$TMP/train.pbds" >/dev/null
"$PB" gen $TASK --options $OPTS,len_min=16,len_max=20 --seed 2 -n 32 -o "$TMP/eval_1x.pbds" >/dev/null
"$PB" gen $TASK --options $OPTS,len_min=85,len_max=101 --seed 3 -n 32 -o "$TMP/eval_4x.pbds" >/dev/null

# The model: d_model 12, 2 layers, 2 heads (head width 6), 300 steps of batch 32 at lr 1e-2.
MODEL="--d-model 12 --layers 2 --seed 1 --threads 1"
TRAIN="--steps 300 --warmup 20 --lr 1e-2 --batch 32"

# Options per encoding where the defaults would leave a feature unused at these lengths:
# learned's table ends (32 rows) inside the long set, T5's last bucket (20) is reached,
# xPos's decay is strong enough to matter. A few more variants follow the loop.
options_of() {
    case "$1" in
    learned) echo max_len=32 ;;
    t5) echo num_buckets=8,max_distance=20 ;;
    xpos) echo scale_base=16 ;;
    *) echo "" ;;
    esac
}

CONFIGS=$TMP/configs  # name encoding options norm heads
: >"$CONFIGS"
for enc in $("$PB" list encodings | awk '/^[^ ]/ {print $1}'); do
    for norm in rms layer; do
        echo "${enc}_$norm $enc $(options_of "$enc" | sed 's/^$/-/') $norm 2" >>"$CONFIGS"
    done
done
cat >>"$CONFIGS" <<EOF
rope_pi_rms rope scaling=pi,factor=4 rms 2
rope_ntk_rms rope scaling=ntk,factor=4 rms 2
rope_yarn_layer rope scaling=yarn,factor=4,orig_len=26,alpha=0.5,beta=4 layer 2
pope_zero_project_rms pope delta_init=zero,delta_clamp=project rms 2
alibi_3heads_rms alibi - rms 3
EOF

rm -rf "$OUT"
mkdir -p "$OUT"
cp "$TMP/eval_1x.pbds" "$TMP/eval_4x.pbds" "$OUT/"
CSV=$TMP/expected.csv
echo "checkpoint,data,loss,accuracy,scored" >"$CSV"
while read -r name enc opts norm heads; do
    [ "$opts" = "-" ] && opts=""
    ckpt=$OUT/$name.ckpt
    # shellcheck disable=SC2086
    "$PB" train --data "$TMP/train.pbds" $MODEL --heads "$heads" --norm "$norm" \
        --encoding "$enc" --encoding-options "$opts" $TRAIN --save "$ckpt" >/dev/null
    # shellcheck disable=SC2086
    "$PB" train --data "$TMP/train.pbds" $MODEL --heads "$heads" --norm "$norm" \
        --encoding "$enc" --encoding-options "$opts" --steps 1 --warmup 1 --lr 1e-30 \
        --lr-min 0 --batch 1 --save "$TMP/init.ckpt" >/dev/null
    "$PYTHON" tools/reference.py "$ckpt" - --diff "$TMP/init.ckpt" | "$PYTHON" -c '
import json, sys
still = [k for k, v in json.load(sys.stdin).items() if v < 1e-2]
if still:
    sys.exit(sys.argv[1] + ": tensors still at init: " + " ".join(still))' "$name"
    for data in eval_1x.pbds eval_4x.pbds; do
        ref=$("$PYTHON" tools/reference.py --json "$ckpt" "$OUT/$data")
        pb=$("$PB" eval "$ckpt" "$OUT/$data")
        line=$(echo "$ref" | "$PYTHON" -c '
import json, re, sys
name, data, pb = sys.argv[1:4]
r = json.load(sys.stdin)
loss, acc, gap, n = r["loss"], r["accuracy"], r["min_gap"], r["scored"]
pb_loss, pb_acc = (float(x) for x in re.findall(r"loss ([0-9.]+), accuracy ([0-9.]+)", pb)[0])
if abs(pb_loss - loss) > 1e-5 * loss or abs(pb_acc - acc) > 1e-6:
    sys.exit(f"{name} on {data}: posbench eval says {pb!r}, the reference {r}")
if gap < 1e-4:
    sys.exit(f"{name} on {data}: two logits within {gap:.1e} at a scored position; "
             "the accuracy could flip in float32: change the seed")
print(f"{name}.ckpt,{data},{loss!r},{acc!r},{n}")' "$name" "$data" "$pb")
        echo "$line" >>"$CSV"
        echo "$line"
    done
done <"$CONFIGS"
mv "$CSV" "$OUT/expected.csv"
echo "wrote $OUT: $(($(wc -l <"$OUT/expected.csv") - 1)) pairs, $(du -sk "$OUT" | cut -f1) KB"
