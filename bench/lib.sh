# bench/lib.sh — what the harvest benchmarks share; sourced, with MOISSON_HOME
# and $moisson (the release binary) set by the driver.

# The median of the numbers on stdin, one per line.
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# A new, empty cluster in MOISSON_HOME: a repetition's first harvest is the
# first harvest of a new index, not one among the dead rows of the last.
fresh_cluster() {
    "$moisson" -q db stop >/dev/null 2>&1 || true
    rm -rf "$MOISSON_HOME/pg"
    "$moisson" -q db start >/dev/null
}
