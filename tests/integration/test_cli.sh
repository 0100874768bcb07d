#!/bin/sh
# The moisson command line, as a user types it: help, sources, a harvest of a
# stand-in partner over loopback, the run history, errors and exit statuses.
# Uses the database "moisson" of the test run's private cluster.
set -u
bin=${MOISSON_BIN:?}
top=${MOISSON_SOURCE_DIR:?}
py=${MOISSON_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
pass=0
fail=0
standin=""

cleanup() {
    [ -n "$standin" ] && kill "$standin" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# expect STATUS PATTERN CMD...: runs CMD, checks its exit status and that its
# output (stdout and stderr) matches the grep pattern (empty: anything).
expect() {
    want=$1 pattern=$2
    shift 2
    "$@" >"$work/out" 2>&1
    got=$?
    if [ "$got" = "$want" ] && { [ -z "$pattern" ] || grep -q -- "$pattern" "$work/out"; }; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $* (exit $got, wanted $want, pattern '$pattern')"
        sed 's/^/    /' "$work/out" | head -20
    fi
}

start_standin() {
    rm -f "$work/port"
    "$py" "$top/tests/standin/partner.py" --port 0 --port-file "$work/port" "$@" \
        >"$work/standin.log" 2>&1 &
    standin=$!
    i=0
    while [ ! -s "$work/port" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
    url="http://127.0.0.1:$(cat "$work/port")/csw"
}

m() { "$bin" "$@"; }

# help for the program and every command
expect 0 "source add|list|show|remove" m --help
for c in source harvest runs db migrate stats; do
    expect 0 "usage: moisson $c" m "$c" --help
done
expect 2 "unknown command" m frobnicate
expect 2 'bad MOISSON_HARVEST_THREADS "lots": expected 0 to 3' env MOISSON_HARVEST_THREADS=lots "$bin" harvest --all
expect 2 'bad MOISSON_HARVEST_THREADS "9"' env MOISSON_HARVEST_THREADS=9 "$bin" harvest --all
expect 2 "usage" m

# a clean slate in this database
for s in $(m source list 2>/dev/null | awk '/^[a-z]/ && $2 == "csw" {print $1}'); do
    m source remove "$s" >/dev/null
done

start_standin --records "$top/demo/partners/commune-saint-aubin"
expect 0 'source "cli-a" added' m source add cli-a --type csw --url "$url" --page-size 3 --every 6h
expect 1 "already" m source add cli-a --type csw --url "$url"
expect 2 "unsupported source type" m source add cli-b --type gopher --url "$url"
expect 2 "http or https" m source add cli-b --type csw --url "ftp://example.fr/csw"
expect 2 "bad source name" m source add "cli b" --type csw --url "$url"
expect 2 "bad duration" m source add cli-b --type csw --url "$url" --every soon
expect 0 "cli-a" m source list
expect 0 "every:           6h" m source show cli-a
expect 1 'no source named "nope"' m source show nope

expect 0 "cli-a: success full run" m harvest cli-a
expect 0 "8 records" m source list
expect 0 "success" m runs cli-a
expect 0 "8 records (0 retired), 8 entries" m stats
expect 0 "0 added, 0 updated, 8 unchanged" m harvest --full cli-a

# a partner that answers with an HTML page: a failed run, exit status 1, told in runs
curl -s -X POST "http://127.0.0.1:$(cat "$work/port")/_control?misbehave=html" >/dev/null
expect 1 "HTML page" m harvest cli-a
expect 0 "failed" m runs cli-a --limit 1
expect 0 "8 records" m source list

expect 0 'source "cli-a" removed' m source remove cli-a
expect 1 'no source named "cli-a"' m source remove cli-a
expect 0 "no runs yet" m runs cli-a

echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
