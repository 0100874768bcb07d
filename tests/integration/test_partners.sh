#!/bin/sh
# Partners that are not CSW 2.0.2 catalogs, harvested with the real binary
# through the partner stand-in over loopback: a WFS whose layers point at ISO
# records (one MetadataURL gone), the same without following MetadataURLs, a
# WMS of the corpus, DCAT feeds paged by Hydra (one that lies about its
# paging), a catalog that speaks only CSW 3.0.0, services that answer
# exception reports or HTML.
# Uses a database of its own in the test run's cluster.
set -u
bin=${MOISSON_BIN:?}
top=${MOISSON_SOURCE_DIR:?}
home=${MOISSON_HOME:?}
corpus=${MOISSON_CORPUS:-}
py=${MOISSON_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
pass=0
fail=0
pids=""

cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT

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

# standin NAME ARGS...: starts the stand-in, sets $port
standin() {
    name=$1
    shift
    rm -f "$work/$name.port"
    "$py" "$top/tests/standin/partner.py" --port 0 --port-file "$work/$name.port" "$@" \
        >"$work/$name.log" 2>&1 &
    pids="$pids $!"
    i=0
    while [ ! -s "$work/$name.port" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
    port=$(cat "$work/$name.port")
}

db="t_partners"
base="host=$home/run dbname=moisson user=moisson"
psql -q -X "$base" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" \
    >/dev/null 2>&1 || { echo "cannot create database $db"; exit 1; }
m() { "$bin" --db "host=$home/run dbname=$db user=moisson" "$@"; }
sql() { psql -q -X -A -t "host=$home/run dbname=$db user=moisson" -c "$1"; }

# ---- WFS: three feature types, one taken as its ISO record, one MetadataURL gone ----
standin wfs --capabilities "$top/tests/fixtures/ogc/wfs200_saint-aubin.xml" \
    --metadata "/md/plu.xml=$top/demo/partners/commune-saint-aubin/02-plu_zonage.xml"
wfs="http://127.0.0.1:$port/ogc"
expect 0 'source "w" added' m source add w --type wfs --url "$wfs"
expect 0 "metadata URLs:   followed" m source show w
# the layer with a gone MetadataURL stands in from the capabilities: nothing retired
expect 1 "1 MetadataURL failed" m harvest w
expect 0 "4 added" m runs w --limit 1
expect 0 "1" sql "SELECT count(*) FROM record WHERE identifier = 'c7a3e1f0-5b2d-4e8a-9f61-0a1b2c3d4e02' AND schema = 'iso19139'"
expect 0 "3" sql "SELECT count(*) FROM record WHERE schema = 'ogc-capabilities'"
expect 0 "Éclairage public" sql "SELECT title FROM record WHERE identifier LIKE '%#sa:eclairage'"
expect 1 "0 added, 0 updated, 4 unchanged" m harvest --full w

# the same service, capabilities only
expect 0 'source "w2" added' m source add w2 --type wfs --url "$wfs" --no-metadata-urls
expect 0 "metadata URLs:   not followed" m source show w2
expect 0 "success full run" m harvest w2
expect 0 "4" sql "SELECT count(*) FROM record r JOIN source s ON s.id = r.source_id WHERE s.name = 'w2' AND r.schema = 'ogc-capabilities'"

# ---- a WMS of the corpus ----
if [ -n "$corpus" ] && [ -d "$corpus/wfs/wms" ]; then
    f=$(ls "$corpus"/wfs/wms/*.xml | head -1)
    standin wms --capabilities "$f"
    expect 0 'source "v" added' m source add v --type wms --url "http://127.0.0.1:$port/ogc"
    expect 0 "success full run" m harvest v
    expect 0 "WMS" m runs v --limit 1
else
    echo "corpus absent (\$MOISSON_CORPUS): WMS case skipped"
fi

# ---- DCAT: a synthetic feed paged by Hydra, then a feed whose next link loops ----
standin dcat --dcat-synthetic 250 --seed 5 --dcat-page-size 100
dcat="http://127.0.0.1:$port/dcat/catalog.rdf"
expect 0 'source "d" added' m source add d --type dcat --url "$dcat"
expect 0 "3 pages, 250 of 250 announced datasets" m harvest d
expect 0 "250 added" m runs d --limit 1
expect 0 "0 added, 0 updated, 250 unchanged" m harvest d
expect 0 "250" sql "SELECT count(*) FROM record WHERE schema = 'dcat-rdf' AND title IS NOT NULL AND bbox IS NOT NULL"

mkdir -p "$work/feed"
cp "$top/tests/fixtures/dcat/hydra_loop_page1.ttl" "$top/tests/fixtures/dcat/hydra_loop_page2.ttl" "$work/feed/"
lport=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$py" -m http.server "$lport" --bind 127.0.0.1 --directory "$work/feed" >"$work/feed.log" 2>&1 &
pids="$pids $!"
i=0
while ! curl -sf "http://127.0.0.1:$lport/" >/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
expect 0 'source "l" added' m source add l --type dcat --url "http://127.0.0.1:$lport/hydra_loop_page1.ttl"
expect 1 "pointed back to a page already read" m harvest l
expect 0 "3 added" m runs l --limit 1
expect 0 "incomplete full" m runs l --limit 1

# a feed that announces no total and whose page 3 repeats page 2, after losing
# two datasets: the page is asked for again, then stepped over; its datasets
# may be missing, so nothing is retired and nothing stored is lost
standin dlie --dcat-synthetic 40 --seed 6 --dcat-page-size 10
lie="http://127.0.0.1:$port"
expect 0 'source "dl" added' m source add dl --type dcat --url "$lie/dcat/catalog.rdf"
expect 0 "4 pages, 40 of 40 announced datasets" m harvest dl
expect 0 "ok: no-total repeat-page:3 drop:2" curl -sf -X POST \
    "$lie/_control?misbehave=no-total&misbehave=repeat-page:3&misbehave=drop:2"
expect 1 "a page that brought nothing new was stepped over: nothing retired" m harvest dl
expect 0 "incomplete full" m runs dl --limit 1
expect 0 "40" sql "SELECT count(*) FROM record r JOIN source s ON s.id = r.source_id WHERE s.name = 'dl' AND r.retired_at IS NULL"
expect 0 "ok: drop:2" curl -sf -X POST "$lie/_control?misbehave=none&misbehave=drop:2"
expect 0 "2 retired" m harvest dl

# a feed that is not RDF
expect 0 'source "j" added' m source add j --type dcat --url "http://127.0.0.1:$lport/"
expect 1 "HTML" m harvest j

# ---- a catalog that speaks only CSW 3.0.0 ----
standin csw3 --synthetic 30 --seed 4 --csw-version 3.0.0
expect 0 'source "c3" added' m source add c3 --type csw --url "http://127.0.0.1:$port/csw" --page-size 10
expect 0 "(CSW 3.0.0, ISO 19139): 3 pages, 30 of 30 announced records" m harvest c3
expect 0 "0 added, 0 updated, 30 unchanged" m harvest --full c3
expect 0 "CSW 3.0.0" m runs c3 --limit 1
expect 0 "30" sql "SELECT count(*) FROM record r JOIN source s ON s.id = r.source_id WHERE s.name = 'c3' AND r.schema = 'iso19139'"

# ---- services that answer something else ----
standin bad --capabilities "$top/tests/fixtures/ogc/wfs200_saint-aubin.xml" --misbehave exception
expect 0 'source "x" added' m source add x --type wfs --url "http://127.0.0.1:$port/ogc"
expect 1 "exception report" m harvest x
standin html --capabilities "$top/tests/fixtures/ogc/wfs200_saint-aubin.xml" --misbehave html
expect 0 'source "h" added' m source add h --type wms --url "http://127.0.0.1:$port/ogc"
expect 1 "HTML" m harvest h
expect 2 "http or https" m source add y --type wfs --url "ftp://example.fr/wfs"

psql -q -X "$base" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
echo "partners: $pass passed, $fail failed"
[ "$fail" = 0 ]
