#!/bin/sh
# The CSW endpoint with real clients: the demo territory's three partners
# (stand-ins over loopback) are harvested into one database, `moisson serve`
# serves it, then
#   1. OWSLib's CatalogueServiceWeb: capabilities, getrecords2 with AnyText
#      Like and BBOX filters, paging through everything, getrecordbyid, getdomain,
#      ISO and Dublin Core;
#   2. GDAL's CSW driver: ogrinfo with and without a spatial filter;
#   3. moisson harvesting moisson: a second database harvests the endpoint.
# Uses two databases of the test run's private cluster.
set -u
bin=${MOISSON_BIN:?}
top=${MOISSON_SOURCE_DIR:?}
home=${MOISSON_HOME:?}
py=${MOISSON_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
pass=0
fail=0
pids=""
server=""
entries=26

cleanup() {
    for p in $pids $server; do kill "$p" 2>/dev/null; done
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
        sed 's/^/    /' "$work/out" | head -30
    fi
}

for tool in ogrinfo; do
    if ! command -v $tool >/dev/null; then
        echo "FAIL: $tool missing (scripts/install-deps installs gdal-bin)"
        echo "csw clients: 0 passed, 1 failed"
        exit 1
    fi
done

sql() { PGOPTIONS="-c client_min_messages=warning" psql -qAt "host=$home/run dbname=postgres user=moisson" -c "$1" >/dev/null; }
db_a="host=$home/run dbname=t_csw_clients_a user=moisson"
db_b="host=$home/run dbname=t_csw_clients_b user=moisson"
for d in t_csw_clients_a t_csw_clients_b; do
    sql "DROP DATABASE IF EXISTS $d"
    sql "CREATE DATABASE $d"
done

# the three partners
n=0
for partner in commune-saint-aubin cc-val-de-loire departement; do
    n=$((n + 1))
    "$py" "$top/tests/standin/partner.py" --port 0 --port-file "$work/port$n" \
        --records "$top/demo/partners/$partner" >"$work/standin$n.log" 2>&1 &
    pids="$pids $!"
    i=0
    while [ ! -s "$work/port$n" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
    expect 0 "added" "$bin" --db "$db_a" source add "$partner" --type csw \
        --url "http://127.0.0.1:$(cat "$work/port$n")/csw" --priority $((n * 10))
done
expect 0 "" "$bin" --db "$db_a" harvest --all
expect 0 "$entries entries" "$bin" --db "$db_a" stats

# the server
"$bin" --db "$db_a" serve --listen 127.0.0.1:0 --threads 2 >"$work/serve.out" 2>"$work/serve.err" &
server=$!
i=0
while ! grep -q "^listening on " "$work/serve.out" 2>/dev/null && [ $i -lt 300 ]; do
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
    i=$((i + 1))
done
base=$(sed -n 's/^listening on \(http:[^ ]*\)\/$/\1/p' "$work/serve.out")
if [ -z "$base" ]; then
    ko "moisson serve did not start"
    cat "$work/serve.out" "$work/serve.err"
    echo "csw clients: $pass passed, $((fail)) failed"
    exit 1
fi
csw="$base/csw"

# 1. OWSLib
cat >"$work/owslib_check.py" <<'PYEOF'
import sys
import warnings
warnings.simplefilter("ignore")
from owslib.csw import CatalogueServiceWeb
from owslib.fes import PropertyIsLike, BBox, PropertyIsEqualTo

url, entries = sys.argv[1], int(sys.argv[2])
passed = failed = 0

def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: owslib %s %s" % (name, detail))

GMD = "http://www.isotc211.org/2005/gmd"
c = CatalogueServiceWeb(url, timeout=30)
check("capabilities", c.identification.type == "CSW" and c.version == "2.0.2")
ops = [o.name for o in c.operations]
check("operations", {"GetRecords", "GetRecordById", "GetDomain"} <= set(ops), ops)
op = c.get_operation_by_name("GetRecords")
check("post url", any(m.get("type") == "Post" and m.get("url") == url for m in op.methods),
      op.methods)

c.getrecords2(constraints=[PropertyIsLike("csw:AnyText", "%urbanisme%")], maxrecords=50, esn="full")
check("anytext like", c.results["matches"] == 4 and len(c.records) == 4, c.results)
c.getrecords2(constraints=[BBox([2.5, 48.2, 3.0, 48.3])], maxrecords=50)
check("bbox", c.results["matches"] == 9 and all(k.startswith("fr-dep-") for k in c.records),
      c.results)
c.getrecords2(constraints=[[PropertyIsEqualTo("dc:type", "service"),
                            BBox([1.0, 47.0, 3.5, 49.0])]], maxrecords=50)
check("and", c.results["matches"] == 2, c.results)

for schema, esn in (("http://www.opengis.net/cat/csw/2.0.2", "summary"), (GMD, "full")):
    seen, start, pages = [], 1, 0
    while start and pages < 100:
        c.getrecords2(outputschema=schema, esn=esn, startposition=start, maxrecords=7)
        seen += list(c.records.keys())
        check("page matched", c.results["matches"] == entries, c.results)
        start = c.results["nextrecord"]
        pages += 1
    check("paging " + esn, len(seen) == entries and len(set(seen)) == entries and pages == 4,
          (len(seen), pages))
    check("order " + esn, seen == sorted(seen), seen[:3])

ids = ["c7a3e1f0-5b2d-4e8a-9f61-0a1b2c3d4e02", "fr-dep-45x-0101"]
c.getrecordbyid(id=ids)
check("byid dc", list(c.records.keys()) == ids, list(c.records.keys()))
c.getrecordbyid(id=ids, outputschema=GMD)
check("byid iso", list(c.records.keys()) == ids, list(c.records.keys()))
rec = c.records.get(ids[0])
check("iso title", rec is not None and rec.identification.title.startswith("Plan local"))

c.getdomain("GetRecords.outputSchema")
check("getdomain parameter", GMD in c.results.get("values", []), c.results)
c.getdomain("dc:type", dtype="property")
check("getdomain property", c.results.get("values") == ["dataset", "service"], c.results)

print("owslib: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PYEOF
expect 0 "owslib: [0-9]* passed, 0 failed" "$py" "$work/owslib_check.py" "$csw" "$entries"

# 2. GDAL's CSW driver
export GDAL_HTTP_TIMEOUT=30
expect 0 "Feature Count: $entries" ogrinfo -ro -al -so "CSW:$csw"
expect 0 "Feature Count: 9" ogrinfo -ro -al -so -spat 2.9 48.2 3.0 48.3 "CSW:$csw"
expect 0 "Feature Count: 0" ogrinfo -ro -al -so -spat 10 10 11 11 "CSW:$csw"
ogrinfo -ro -al -q "CSW:$csw" >"$work/ogr.out" 2>&1
if [ "$(grep -c '^OGRFeature' "$work/ogr.out")" = "$entries" ]; then ok; else
    ko "ogrinfo did not list $entries features"
    head -20 "$work/ogr.out"
fi

# 3. moisson harvesting moisson
expect 0 "added" "$bin" --db "$db_b" source add territory --type csw --url "$csw" --page-size 7
expect 0 "$entries received of $entries announced" "$bin" --db "$db_b" harvest territory
expect 0 "$entries records (0 retired), $entries entries" "$bin" --db "$db_b" stats
expect 0 "$entries unchanged" "$bin" --db "$db_b" harvest --full territory

# the server logged no error
if grep -q "error" "$work/serve.err"; then
    ko "the server logged errors"
    head -20 "$work/serve.err"
else ok; fi
kill "$server"
wait "$server" 2>/dev/null
server=""
for d in t_csw_clients_a t_csw_clients_b; do sql "DROP DATABASE IF EXISTS $d"; done

echo "csw clients: $pass passed, $fail failed"
[ "$fail" = 0 ]
