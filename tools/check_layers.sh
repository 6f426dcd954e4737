#!/bin/sh
# The layering rule (docs/design.md), checked on every #include "..." of the library:
#   tasks/, encodings/      include only harness/base/ (and their own folder)
#   harness/base/           includes only itself
#   harness/model/          base, encodings
#   harness/train/          base, encodings, tasks, model
#   harness/experiment/     base, encodings, tasks, model, train
#   harness/analysis/       ... and experiment
#   harness/plot/           ... and analysis
#   harness/cli/            anything; nothing outside cli/ (tests aside) includes cli/
# and only cli/ reads a command line (argc/argv). Prints each violation; exit 1 if any.
cd "$(dirname "$0")/.." || exit 2
allowed() {
    case "$1" in
    tasks | encodings) echo "harness/base" ;;
    harness/base) echo "" ;;
    harness/model) echo "harness/base encodings" ;;
    harness/train) echo "harness/base encodings tasks harness/model" ;;
    harness/experiment) echo "harness/base encodings tasks harness/model harness/train" ;;
    harness/analysis) echo "harness/base encodings tasks harness/model harness/train harness/experiment" ;;
    harness/plot) echo "harness/base encodings tasks harness/model harness/train harness/experiment harness/analysis" ;;
    harness/cli) echo "harness/base encodings tasks harness/model harness/train harness/experiment harness/analysis harness/plot" ;;
    *) echo "?" ;;
    esac
}
bad=0
for f in tasks/*.[ch] encodings/*.[ch] harness/*/*.[ch]; do
    room=${f%/*}
    ok=$(allowed "$room")
    if [ "$ok" = "?" ]; then
        echo "$f: not in a known room (tasks, encodings, harness/{base,model,train,experiment,analysis,plot,cli})"
        bad=1
        continue
    fi
    for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
        target=${inc%/*}
        [ "$target" = "$inc" ] && continue  # same folder
        [ "$target" = "$room" ] && continue
        case " $ok " in *" $target "*) continue ;; esac
        echo "$f: includes $inc, outside what $room may use ($ok)"
        bad=1
    done
    if [ "$room" != harness/cli ] && grep -qw 'argv' "$f"; then
        echo "$f: reads a command line (argv) outside harness/cli/"
        bad=1
    fi
done
[ $bad -eq 0 ] && echo "layers: every include follows the rule"
exit $bad
