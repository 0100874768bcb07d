#!/bin/sh
# Partners that publish files, as a user harvests them with the real binary:
# a Web Accessible Folder served over loopback by Python's http.server (a
# real autoindex: parent and subfolder links, files that are not XML) and a
# local directory.  Per-file errors, unchanged re-harvests, retirement of a
# removed file.  Change detection by validators: http.server sends
# Last-Modified and answers If-Modified-Since with 304 (no ETag); a small
# handler of this script sends only an ETag and honours If-None-Match; a
# local directory compares dates and size.  Uses a database of its own in
# the test run's cluster.
set -u
bin=${MOISSON_BIN:?}
top=${MOISSON_SOURCE_DIR:?}
home=${MOISSON_HOME:?}
py=${MOISSON_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
pass=0
fail=0
server=""
etag_server=""

cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null
    [ -n "$etag_server" ] && kill "$etag_server" 2>/dev/null
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

# the server's log lines since a mark (mark: the line count before a run)
mark() { wc -l <"$1" | tr -d ' '; }
log_since() { tail -n +"$(($2 + 1))" "$1"; }

# expect_log LOG MARK FILE STATUS COUNT: COUNT requests for FILE answered
# STATUS since MARK
expect_log() {
    got=$(log_since "$1" "$2" | grep -c "GET [^ ]*$3 HTTP/1.1\" $4 ")
    if [ "$got" = "$5" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $5 x '$3' answered $4 in the server log, got $got"
        log_since "$1" "$2" | sed 's/^/    /' | head -20
    fi
}

# a copy of record $1 with a new metadata date stamp into $2 (checked)
restamp() {
    sed 's|<gmd:dateStamp><gco:DateTime>[^<]*<|<gmd:dateStamp><gco:DateTime>2025-01-02T03:04:05<|' \
        "$1" >"$2"
    cmp -s "$1" "$2" && echo "restamp changed nothing in $1"
}

# a time well after the last answer: If-Modified-Since has one-second steps
later() { touch -d "@$(($(date +%s) + $1))" "$2"; }

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
echo "<pas-une-fiche/>" >"$work/www/metadonnees/autre.xml" # well-formed, not a record

port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$py" -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" >"$work/server.log" 2>&1 &
server=$!
i=0
while ! curl -sf "http://127.0.0.1:$port/" >/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
url="http://127.0.0.1:$port/metadonnees/"

expect 2 "unsupported source type" m source add w --type gopher --url "$url"
expect 2 "path of a directory" m source add d --type dir --url "$work/nowhere"
expect 0 'source "w" added' m source add w --type waf --url "$url" --max-shrink 0.5

# first run: three records, the broken files are per-record errors, the run incomplete
log="$work/server.log"
expect 1 "incomplete full run" m harvest w
expect 0 "3 added" m runs w --limit 1
expect 0 "casse.xml" m runs w --errors
expect 0 "unsupported record root" m runs w --errors
expect 0 "3 records" m source list
expect 0 "3 XML files\|5 XML files listed in 2 folder pages, 0 not modified (304)" m runs w --limit 1

# nothing changed: the three records come as 304s, stamped seen, nothing
# downloaded; the files whose record failed are fetched whole (no 304 trusted
# without a stored record) and fail again
at=$(mark "$log")
expect 1 "4 received of 5 announced, 0 added, 0 updated, 3 unchanged, 2 failed" m harvest w
expect 0 "5 XML files listed in 2 folder pages, 3 not modified (304)" m runs w --limit 1
expect_log "$log" "$at" "/01-cadastre_parcelles.xml" 304 1
expect_log "$log" "$at" "/02-plu_zonage.xml" 304 1
expect_log "$log" "$at" "/voirie/03-voirie.xml" 304 1
expect_log "$log" "$at" "/autre.xml" 200 1
expect_log "$log" "$at" "/casse.xml" 200 1
expect 0 "3 records" m source list

# the partner fixes its files: a complete run of 304s, nothing rewritten
rm "$work/www/metadonnees/casse.xml" "$work/www/metadonnees/autre.xml"
at=$(mark "$log")
expect 0 "3 received of 3 announced, 0 added, 0 updated, 3 unchanged, 0 failed, 0 retired" m harvest w
expect 0 "3 XML files listed in 2 folder pages, 3 not modified (304)" m runs w --limit 1
expect_log "$log" "$at" "" 304 3
expect 0 "3 records" m source list

# one file changed: a 200, its record updated, the others still 304s
restamp "$src/02-plu_zonage.xml" "$work/www/metadonnees/02-plu_zonage.xml"
later 60 "$work/www/metadonnees/02-plu_zonage.xml"
at=$(mark "$log")
expect 0 "0 added, 1 updated, 2 unchanged" m harvest w
expect 0 "2 not modified (304)" m runs w --limit 1
expect_log "$log" "$at" "/02-plu_zonage.xml" 200 1
expect_log "$log" "$at" "" 304 2

# one file touched, same content: a 200, and the hash says unchanged
later 120 "$work/www/metadonnees/01-cadastre_parcelles.xml"
at=$(mark "$log")
expect 0 "0 added, 0 updated, 3 unchanged" m harvest w
expect 0 "2 not modified (304)" m runs w --limit 1
expect_log "$log" "$at" "/01-cadastre_parcelles.xml" 200 1

# a file removed: retired after a complete run; the records that came as
# 304s stay
rm "$work/www/metadonnees/voirie/03-voirie.xml"
at=$(mark "$log")
expect 0 "0 updated, 2 unchanged, 0 failed, 1 retired" m harvest w
expect 0 "2 not modified (304)" m runs w --limit 1
expect_log "$log" "$at" "" 304 2
expect 0 "2 records" m source list
expect 0 "0 added, 0 updated, 2 unchanged, 0 failed, 0 retired" m harvest w
expect 0 "2 records" m source list

# a server that sends an ETag only (no Last-Modified) and honours If-None-Match
mkdir -p "$work/etag/fiches"
cp "$src/04-espaces_verts.xml" "$src/05-eclairage_public.xml" "$work/etag/fiches/"
cat >"$work/etag.py" <<'PY'
import functools, http.server, os, subprocess, sys

# hook-NAME.sh beside the served folder runs (once) before NAME is answered 304
hooks = os.path.dirname(os.path.abspath(sys.argv[2]))

class Handler(http.server.SimpleHTTPRequestHandler):
    etag = None

    def before_304(self, path):
        hook = os.path.join(hooks, "hook-" + os.path.basename(path) + ".sh")
        if os.path.exists(hook):
            subprocess.run(["sh", hook], check=True)
            os.unlink(hook)

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isfile(path):
            st = os.stat(path)
            tag = '"%x-%x"' % (st.st_mtime_ns, st.st_size)
            asked = [t.strip() for t in self.headers.get("If-None-Match", "").split(",")]
            if tag in asked:
                self.before_304(path)
                self.send_response(304)
                self.send_header("ETag", tag)
                self.end_headers()
                return None
            self.etag = tag
        return super().send_head()

    def send_header(self, name, value):
        if name != "Last-Modified":
            super().send_header(name, value)

    def end_headers(self):
        if self.etag:
            super().send_header("ETag", self.etag)
            self.etag = None
        super().end_headers()

handler = functools.partial(Handler, directory=sys.argv[2])
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), handler).serve_forever()
PY
eport=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$py" "$work/etag.py" "$eport" "$work/etag" >"$work/etag.log" 2>&1 &
etag_server=$!
i=0
while ! curl -sf "http://127.0.0.1:$eport/" >/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
elog="$work/etag.log"
expect 0 'source "e" added' m source add e --type waf --url "http://127.0.0.1:$eport/fiches/"
expect 0 "2 added" m harvest e
at=$(mark "$elog")
expect 0 "0 added, 0 updated, 2 unchanged" m harvest e
expect 0 "2 XML files listed in 1 folder page, 2 not modified (304)" m runs e --limit 1
expect_log "$elog" "$at" "" 304 2
restamp "$src/04-espaces_verts.xml" "$work/etag/fiches/04-espaces_verts.xml"
at=$(mark "$elog")
expect 0 "0 added, 1 updated, 1 unchanged" m harvest e
expect 0 "1 not modified (304)" m runs e --limit 1
expect_log "$elog" "$at" "/04-espaces_verts.xml" 200 1
expect_log "$elog" "$at" "/05-eclairage_public.xml" 304 1

# a 304 whose record the store lost between the question and the answer
# (another file of the run replaced it): not trusted, fetched whole
cat >"$work/hook-05-eclairage_public.xml.sh" <<SH
psql -q -X "host=$home/run dbname=$db user=moisson" -c "UPDATE record SET hash = 'replaced' \\
    WHERE hash = (SELECT hash FROM folder_file WHERE url LIKE '%/05-eclairage_public.xml')"
SH
at=$(mark "$elog")
expect 0 "2 received of 2 announced, 0 added, 1 updated, 1 unchanged, 0 failed" m harvest e
expect 0 "1 not modified (304)" m runs e --limit 1
expect_log "$elog" "$at" "/04-espaces_verts.xml" 304 1
expect_log "$elog" "$at" "/05-eclairage_public.xml" 304 1
expect_log "$elog" "$at" "/05-eclairage_public.xml" 200 1
[ -e "$work/hook-05-eclairage_public.xml.sh" ] && echo "FAIL: the hook did not run" && fail=$((fail + 1))
at=$(mark "$elog")
expect 0 "0 added, 0 updated, 2 unchanged" m harvest e
expect_log "$elog" "$at" "" 304 2

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
expect 0 "2 XML files, 2 not modified (same dates and size)" m runs d --limit 1
# a changed file is read again; a touched one too, and its hash says unchanged
restamp "$src/06-assainissement.xml" "$work/dir/06-assainissement.xml"
expect 0 "0 added, 1 updated, 1 unchanged" m harvest d
expect 0 "1 not modified (same dates and size)" m runs d --limit 1
touch "$work/dir/sub/07-batiments_communaux.xml"
expect 0 "0 added, 0 updated, 2 unchanged" m harvest d
expect 0 "1 not modified (same dates and size)" m runs d --limit 1

psql -q -X "$base" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
echo "folders: $pass passed, $fail failed"
[ "$fail" = 0 ]
