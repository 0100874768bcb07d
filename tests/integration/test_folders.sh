#!/bin/sh
# Partners that publish files, as a user harvests them with the real binary:
# a Web Accessible Folder served over loopback by Python's http.server (a
# real autoindex: parent and subfolder links, files that are not XML) and a
# local directory.  Per-file errors, unchanged re-harvests, retirement of a
# removed file.  Uses a database of its own in the test run's cluster.
set -u
bin=${MOISSON_BIN:?}
top=${MOISSON_SOURCE_DIR:?}
home=${MOISSON_HOME:?}
py=${MOISSON_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
pass=0
fail=0
server=""

cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null
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

# a database of this test's own
db="t_folders"
base="host=$home/run dbname=moisson user=moisson"
psql -q -X "$base" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" \
    >/dev/null 2>&1 || { echo "cannot create database $db"; exit 1; }
m() { "$bin" --db "host=$home/run dbname=$db user=moisson" "$@"; }

# the folder: three records (one in a subfolder), a text file, a broken record
src="$top/demo/partners/commune-saint-aubin"
mkdir -p "$work/www/metadonnees/voirie" "$work/www/ailleurs"
cp "$src/01-cadastre_parcelles.xml" "$src/02-plu_zonage.xml" "$work/www/metadonnees/"
cp "$src/03-voirie.xml" "$work/www/metadonnees/voirie/"
cp "$src/04-espaces_verts.xml" "$work/www/ailleurs/" # beside the folder: not taken
echo "lisez-moi" >"$work/www/metadonnees/LISEZMOI.txt"
head -c 400 "$src/05-eclairage_public.xml" >"$work/www/metadonnees/casse.xml"

port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$py" -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" >"$work/server.log" 2>&1 &
server=$!
i=0
while ! curl -sf "http://127.0.0.1:$port/" >/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
url="http://127.0.0.1:$port/metadonnees/"

expect 2 "unsupported source type" m source add w --type gopher --url "$url"
expect 2 "path of a directory" m source add d --type dir --url "$work/nowhere"
expect 0 'source "w" added' m source add w --type waf --url "$url" --max-shrink 0.5

# first run: three records, the broken file is a per-record error, the run incomplete
expect 1 "incomplete full run" m harvest w
expect 0 "3 added" m runs w --limit 1
expect 0 "casse.xml" m runs w --errors
expect 0 "3 records" m source list

# the partner fixes its file: a complete run, nothing rewritten
rm "$work/www/metadonnees/casse.xml"
expect 0 "0 added, 0 updated, 3 unchanged" m harvest w
expect 0 "3 XML files listed in 2 folder pages" m runs w --limit 1

# a file removed: retired after a complete run
rm "$work/www/metadonnees/voirie/03-voirie.xml"
expect 0 "1 retired" m harvest w
expect 0 "2 records" m source list

# a folder that is not there: a failed run, nothing lost
expect 0 'source "w2" added' m source add w2 --type waf --url "http://127.0.0.1:$port/absent/"
expect 1 "HTTP 404" m harvest w2

# the same records from a local directory (a relative path is kept absolute)
mkdir -p "$work/dir/sub"
cp "$src/06-assainissement.xml" "$work/dir/"
cp "$src/07-batiments_communaux.xml" "$work/dir/sub/"
echo "<pas-une-fiche/>" >"$work/dir/autre.xml"
expect 0 'source "d" added' sh -c "cd '$work' && '$bin' --db 'host=$home/run dbname=$db user=moisson' source add d --type dir --url dir"
expect 0 "$work/dir" m source show d
expect 1 "incomplete" m harvest d
expect 0 "unsupported record root" m runs d --errors
rm "$work/dir/autre.xml"
expect 0 "0 added, 0 updated, 2 unchanged" m harvest d

psql -q -X "$base" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
echo "folders: $pass passed, $fail failed"
[ "$fail" = 0 ]
