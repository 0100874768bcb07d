#!/bin/sh
# moisson serve as a user runs it: help and usage errors, the real binary
# serving /health over loopback from the test run's cluster, an address
# already in use, and a graceful stop on SIGTERM and on SIGINT.
set -u
bin=${MOISSON_BIN:?}
work=$(mktemp -d)
pass=0
fail=0
server=""

cleanup() {
    [ -n "$server" ] && kill -KILL "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); }
ko() {
    fail=$((fail + 1))
    echo "FAIL: $*"
}

# expect STATUS PATTERN CMD...: exit status and a grep pattern of the output
expect() {
    want=$1 pattern=$2
    shift 2
    "$@" >"$work/out" 2>&1
    got=$?
    if [ "$got" = "$want" ] && { [ -z "$pattern" ] || grep -q -- "$pattern" "$work/out"; }; then
        ok
    else
        ko "$* (exit $got, wanted $want, pattern '$pattern')"
        sed 's/^/    /' "$work/out" | head -20
    fi
}

# start NAME ARGS...: runs moisson serve in the background and waits for the
# URL it prints; sets $server and $url
start() {
    name=$1
    shift
    "$bin" serve "$@" >"$work/$name.out" 2>"$work/$name.err" &
    server=$!
    i=0
    while ! grep -q "^listening on " "$work/$name.out" 2>/dev/null && [ $i -lt 300 ]; do
        kill -0 "$server" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    url=$(sed -n 's/^listening on \(http:[^ ]*\)\/$/\1/p' "$work/$name.out")
    if [ -z "$url" ]; then
        ko "serve $* did not print the URL it listens on"
        cat "$work/$name.out" "$work/$name.err" | sed 's/^/    /'
    fi
}

# stop SIGNAL NAME: signals the server and checks it ends by itself, exit 0
stop() {
    kill "-$1" "$server"
    i=0
    while kill -0 "$server" 2>/dev/null && [ $i -lt 200 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    if kill -0 "$server" 2>/dev/null; then
        ko "serve did not stop within 20 s of SIG$1"
        return
    fi
    wait "$server"
    status=$?
    server=""
    if [ "$status" = 0 ] && grep -q "^stopped$" "$work/$2.out"; then ok; else
        ko "serve after SIG$1: exit $status"
        cat "$work/$2.out" "$work/$2.err" | sed 's/^/    /'
    fi
}

# fetch PATH: status code into $code, body into $work/body, headers into $work/head
fetch() {
    code=$(curl -s -o "$work/body" -D "$work/head" -w '%{http_code}' --max-time 10 "$url$1")
}

expect 0 "usage: moisson serve" "$bin" serve --help
expect 0 "serve \[--listen ADDR:PORT\]" "$bin" --help
expect 2 'bad listen address "localhost:80"' "$bin" serve --listen localhost:80
expect 2 'bad port in listen address "127.0.0.1:70000"' "$bin" serve --listen 127.0.0.1:70000
expect 2 'bad thread count "0"' "$bin" serve --threads 0
expect 2 'unexpected argument "extra"' "$bin" serve extra
expect 2 "usage: moisson serve" "$bin" serve --frobnicate
expect 2 'bad public URL "ftp://example.fr"' "$bin" serve --listen 127.0.0.1:0 --public-url ftp://example.fr

# serving, then SIGTERM
start a --listen 127.0.0.1:0 --public-url https://geo.example.fr/moisson/ --threads 2
if [ -n "$url" ]; then
    if grep -q "^public URL https://geo.example.fr/moisson/$" "$work/a.out"; then ok; else
        ko "public URL not printed"
    fi
    fetch /health
    if [ "$code" = 200 ] && [ "$(cat "$work/body")" = ok ]; then ok; else ko "/health: $code"; fi
    if grep -qi "^X-Content-Type-Options: nosniff" "$work/head"; then ok; else ko "no nosniff"; fi
    fetch /nope
    if [ "$code" = 404 ] && grep -q 'no such path "/nope"' "$work/body"; then ok; else
        ko "/nope: $code"
    fi
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --max-time 10 "$url/health")
    if [ "$code" = 405 ]; then ok; else ko "POST /health: $code"; fi

    # the same port again: refused, naming it
    port=${url##*:}
    expect 1 "could not listen on 127.0.0.1:$port: Address already in use" \
        "$bin" serve --listen "127.0.0.1:$port"

    stop TERM a
    if curl -s -o /dev/null --max-time 5 "$url/health"; then ko "still answering after stop"; else
        ok
    fi
fi

# serving, then SIGINT (Ctrl-C)
start b --listen 127.0.0.1:0
if [ -n "$url" ]; then
    fetch /health
    if [ "$code" = 200 ]; then ok; else ko "/health (second run): $code"; fi
    stop INT b
fi

echo "serve: $pass passed, $fail failed"
[ "$fail" = 0 ]
