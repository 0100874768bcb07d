#!/bin/sh
# The OGC API Records JSON API of the real `moisson serve` over loopback
# (CTest test_api): a database of the test run's cluster loaded with
# tests/fixtures/search/records.sql, then tests/integration/api_check.py
# checks every document against JSON Schemas mirroring the standard's
# required members, the search, paging by links, the facets extension,
# escaping of hostile text and the problem+json refusals.
set -u
bin=${MOISSON_BIN:?}
home=${MOISSON_HOME:?}
src=${MOISSON_SOURCE_DIR:?}
py=${MOISSON_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
server=""

cleanup() {
    [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

admin="host=$home/run user=moisson dbname=postgres"
db="host=$home/run user=moisson dbname=t_api"
psql -q -X -v ON_ERROR_STOP=1 "$admin" -c "DROP DATABASE IF EXISTS t_api" \
    -c "CREATE DATABASE t_api" >"$work/psql.out" 2>&1 &&
    "$bin" -q --db "$db" migrate >>"$work/psql.out" 2>&1 &&
    psql -q -X -v ON_ERROR_STOP=1 "$db" -f "$src/tests/fixtures/search/records.sql" \
        >>"$work/psql.out" 2>&1 || {
    echo "FAIL: could not prepare the database"
    cat "$work/psql.out"
    echo "0 passed, 1 failed"
    exit 1
}

"$bin" --db "$db" serve --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
server=$!
i=0
while ! grep -q "^listening on " "$work/serve.out" 2>/dev/null && [ $i -lt 300 ]; do
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
    i=$((i + 1))
done
url=$(sed -n 's/^listening on \(http:[^ ]*\)\/$/\1/p' "$work/serve.out")
if [ -z "$url" ]; then
    echo "FAIL: moisson serve did not start"
    cat "$work/serve.out" "$work/serve.err"
    echo "0 passed, 1 failed"
    exit 1
fi
"$py" "$src/tests/integration/api_check.py" "$url"
rc=$?
kill -TERM "$server"
wait "$server"
src_rc=$?
server=""
if [ "$src_rc" != 0 ]; then
    echo "FAIL: moisson serve exited with $src_rc"
    cat "$work/serve.err"
    exit 1
fi
exit $rc
