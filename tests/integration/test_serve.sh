#!/bin/sh
# moisson serve as a user runs it: help and usage errors, the real binary
# serving /health over loopback from the test run's cluster, an address
# already in use, and a graceful stop on SIGTERM and on SIGINT.  The service
# identity: the defaults without options; with --title, --abstract,
# --keywords, --provider, --provider-site, --contact-name and --contact-email
# their values in GetCapabilities (escaped, schema-valid when the corpus is
# there), the title on the HTML pages and the OGC API landing page; bad values
# refused with status 2, naming the option.  The map's tile background: bad
# --tile-url and --tile-attribution values refused the same way; with a tile
# URL, its origin in the pages' CSP img-src and the tiles on the search page.
set -u
bin=${MOISSON_BIN:?}
corpus=${MOISSON_CORPUS:-}
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

# caps: GetCapabilities into $work/body, checked well-formed
caps() {
    fetch "/csw?service=CSW&request=GetCapabilities"
    if [ "$code" = 200 ] && xmllint --noout "$work/body"; then ok; else
        ko "GetCapabilities: $code"
        head -c 2000 "$work/body" | sed 's/^/    /'
    fi
}

# xp XPATH: the string value of XPATH in $work/body; el NAME: a path step for
# the element NAME in any namespace
xp() { xmllint --xpath "string($1)" "$work/body" 2>/dev/null; }
el() { echo "*[local-name()='$1']"; }

# is WHAT GOT WANT
is() {
    if [ "$2" = "$3" ]; then ok; else ko "$1: \"$2\", wanted \"$3\""; fi
}

# has WHAT TEXT: $work/body holds TEXT (fixed string); hasnt: it does not
has() { if grep -qF -- "$2" "$work/body"; then ok; else ko "$1: no '$2'"; fi; }
hasnt() { if grep -qF -- "$2" "$work/body"; then ko "$1: '$2' present"; else ok; fi; }

# validate WHAT: $work/body against CSW-discovery.xsd of the corpus
validate() {
    if [ -z "$corpus" ] || [ ! -f "$corpus/schemas/catalog.xml" ]; then
        echo "corpus absent (\$MOISSON_CORPUS): $1 not schema-validated"
        return
    fi
    if XML_CATALOG_FILES="$corpus/schemas/catalog.xml" xmllint --noout --nonet \
        --schema http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd "$work/body" \
        >"$work/valid" 2>&1; then ok; else
        ko "$1 not valid"
        grep -v "Skipping import" "$work/valid" | head -10 | sed 's/^/    /'
    fi
}

sid=$(el ServiceIdentification)
spr=$(el ServiceProvider)

expect 0 "usage: moisson serve" "$bin" serve --help
expect 0 "serve \[--listen ADDR:PORT\]" "$bin" --help
expect 2 'bad listen address "localhost:80"' "$bin" serve --listen localhost:80
expect 2 'bad port in listen address "127.0.0.1:70000"' "$bin" serve --listen 127.0.0.1:70000
expect 2 'bad thread count "0"' "$bin" serve --threads 0
expect 0 "^  --search-lag SECONDS" "$bin" serve --help
expect 2 'bad --search-lag "3601"' "$bin" serve --search-lag 3601
expect 2 'bad --search-lag "soon"' "$bin" serve --search-lag soon
expect 2 "not with --no-search-index" "$bin" serve --search-lag 5 --no-search-index
expect 2 'unexpected argument "extra"' "$bin" serve extra
expect 2 "usage: moisson serve" "$bin" serve --frobnicate
expect 2 'bad public URL "ftp://example.fr"' "$bin" serve --listen 127.0.0.1:0 --public-url ftp://example.fr

# the service identity: documented, bad values refused naming the option
for o in "--title TEXT" "--abstract TEXT" "--keywords K1,K2" "--provider NAME" \
    "--provider-site URL" "--contact-name NAME" "--contact-email ADDR"; do
    expect 0 "^  $o" "$bin" serve --help
done
long=$(printf '%0513d' 0 | tr 0 x)
expect 2 'bad --title "xxxx*\.\.\.": longer than 512 bytes (513)' \
    "$bin" serve --listen 127.0.0.1:0 --title "$long"
expect 2 'bad --abstract "?": not valid UTF-8' "$bin" serve --abstract "$(printf '\377')"
expect 2 'bad --keywords "a?b": control character 0x01' "$bin" serve --keywords "$(printf 'a\001b')"
expect 2 'bad --provider "x\{1,\}\.\.\.": longer than 512 bytes' "$bin" serve --provider "$long"
expect 2 'bad --provider-site "ftp://example.fr": not an http:// or https:// URL' \
    "$bin" serve --provider-site ftp://example.fr
expect 2 'bad --contact-name "x*\.\.\.": longer than 512' "$bin" serve --contact-name "$long"
expect 2 'bad --contact-email "Claire Dubois": not an e-mail address' \
    "$bin" serve --contact-email "Claire Dubois"

# the map's tile background: documented, bad values refused naming the option
for o in "--tile-url TEMPLATE" "--tile-attribution TEXT"; do
    expect 0 "^  $o" "$bin" serve --help
done
tiles='https://tiles.example.fr/{z}/{x}/{y}.png'
expect 2 'bad --tile-url "ftp://tiles.example.fr/{z}/{x}/{y}.png": not http:// or https://' \
    "$bin" serve --listen 127.0.0.1:0 --tile-url 'ftp://tiles.example.fr/{z}/{x}/{y}.png'
expect 2 'bad --tile-url "https://tiles.example.fr/{z}/{x}.png": {y} missing' \
    "$bin" serve --listen 127.0.0.1:0 --tile-url 'https://tiles.example.fr/{z}/{x}.png'
expect 2 'bad --tile-url "https://tiles.example.fr/{z}/{x}/{x}/{y}.png": {x} more than once' \
    "$bin" serve --listen 127.0.0.1:0 --tile-url 'https://tiles.example.fr/{z}/{x}/{x}/{y}.png'
expect 2 'bad --tile-url "https://tiles.example.fr/{z}/{x}/{y}.png?s=?a?": character " at byte 44' \
    "$bin" serve --listen 127.0.0.1:0 --tile-url "$tiles?s=\"a\""
expect 2 'bad --tile-url "https://tiles.example.fr/{z}/[^"]*\.\.\.": longer than 512 bytes (554)' \
    "$bin" serve --listen 127.0.0.1:0 --tile-url "$tiles?$long"
expect 2 'bad --tile-url "https://tiles.example.fr:99999/{z}/{x}/{y}.png": bad port' \
    "$bin" serve --listen 127.0.0.1:0 --tile-url "https://tiles.example.fr:99999/{z}/{x}/{y}.png"
expect 2 'bad --tile-attribution "a?b": control character 0x09' \
    "$bin" serve --listen 127.0.0.1:0 --tile-url "$tiles" --tile-attribution "$(printf 'a\tb')"
expect 2 'bad --tile-attribution "x*\.\.\.": longer than 512 bytes (513)' \
    "$bin" serve --listen 127.0.0.1:0 --tile-url "$tiles" --tile-attribution "$long"
expect 2 'bad --tile-attribution "?": not valid UTF-8' \
    "$bin" serve --listen 127.0.0.1:0 --tile-url "$tiles" --tile-attribution "$(printf '\377')"
expect 2 '--tile-attribution without --tile-url' \
    "$bin" serve --listen 127.0.0.1:0 --tile-attribution "© IGN"

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

    # no identity option: the defaults
    caps
    is "default title" "$(xp "//$sid/$(el Title)")" "moisson — catalogue of the territory"
    is "default keywords" "$(xp "count(//$sid/$(el Keywords)/$(el Keyword))")" 4
    is "default provider" "$(xp "//$spr/$(el ProviderName)")" moisson
    is "default provider site" "$(xp "//$spr/$(el ProviderSite)/@*[local-name()='href']")" \
        https://geo.example.fr/moisson
    is "default contact" "$(xp "//$spr//$(el IndividualName)")" ""
    is "default e-mail" "$(xp "count(//$spr//$(el ElectronicMailAddress))")" 0
    validate "default capabilities"
    fetch /
    has "default page title" "Catalogue du territoire</a>"
    if grep -qi "^Content-Security-Policy: .*img-src 'self' data:; object-src" "$work/head"; then
        ok
    else
        ko "CSP without tiles: $(grep -i '^Content-Security-Policy' "$work/head")"
    fi
    hasnt "no tile without --tile-url" "<image"
    if grep -qi "^Referrer-Policy: same-origin" "$work/head"; then ok; else ko "Referrer-Policy without tiles"; fi
    fetch /api
    has "default API title" '"title":"moisson — catalogue du territoire"'

    # the same port again: refused, naming it
    port=${url##*:}
    expect 1 "could not listen on 127.0.0.1:$port: Address already in use" \
        "$bin" serve --listen "127.0.0.1:$port"

    stop TERM a
    if curl -s -o /dev/null --max-time 5 "$url/health"; then ko "still answering after stop"; else
        ok
    fi
fi

# the service identity from the options, every text escaped
title='Catalogue <script>alert(1)</script> & "Loire" — été'
start c --listen 127.0.0.1:0 --title "$title" \
    --abstract "Fiches des partenaires <b>du</b> Loiret & d'ailleurs" \
    --keywords " urbanisme, PLU & cadastre ,, Loiret" --provider "Département du Loiret" \
    --provider-site "https://www.loiret.example.fr/sig?a=1&b=2" --contact-name "Claire Dubois" \
    --contact-email sig@loiret.example.fr
if [ -n "$url" ]; then
    caps
    is "title" "$(xp "//$sid/$(el Title)")" "$title"
    is "abstract" "$(xp "//$sid/$(el Abstract)")" "Fiches des partenaires <b>du</b> Loiret & d'ailleurs"
    is "keywords" "$(xp "count(//$sid/$(el Keywords)/$(el Keyword))")" 3
    is "keyword 1" "$(xp "//$sid/$(el Keywords)/$(el Keyword)[1]")" urbanisme
    is "keyword 2" "$(xp "//$sid/$(el Keywords)/$(el Keyword)[2]")" "PLU & cadastre"
    is "keyword 3" "$(xp "//$sid/$(el Keywords)/$(el Keyword)[3]")" Loiret
    is "provider" "$(xp "//$spr/$(el ProviderName)")" "Département du Loiret"
    is "provider site" "$(xp "//$spr/$(el ProviderSite)/@*[local-name()='href']")" \
        "https://www.loiret.example.fr/sig?a=1&b=2"
    is "contact" "$(xp "//$spr/$(el ServiceContact)/$(el IndividualName)")" "Claire Dubois"
    is "e-mail" "$(xp "//$spr/$(el ServiceContact)//$(el ElectronicMailAddress)")" \
        sig@loiret.example.fr
    has "escaped title" "<ows:Title>Catalogue &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Loire&quot; — été</ows:Title>"
    has "escaped site" 'xlink:href="https://www.loiret.example.fr/sig?a=1&amp;b=2"'
    hasnt "raw markup" "<script>"
    hasnt "raw markup" "<b>"
    validate "capabilities with the identity"
    fetch /
    has "page title" "Catalogue &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Loire&quot; — été</a>"
    hasnt "page markup" "<script>alert"
    fetch /api
    has "API title" '"title":"Catalogue \u003cscript\u003ealert(1)\u003c/script\u003e \u0026 \"Loire\" — été"'
    stop TERM c
fi

# a tile background: the tile server's origin in img-src (only there), the tiles on the map
start d --listen 127.0.0.1:0 --tile-url 'http://127.0.0.1:9/plan/{z}/{x}/{y}.png' \
    --tile-attribution 'Tuiles <de test> & co'
if [ -n "$url" ]; then
    fetch /
    csp=$(sed -n 's/^[Cc]ontent-[Ss]ecurity-[Pp]olicy: \(.*\)\r$/\1/p' "$work/head")
    case $csp in
    *"img-src 'self' data: http://127.0.0.1:9; object-src 'none'"*) ok ;;
    *) ko "CSP with tiles: $csp" ;;
    esac
    is "tile origin in img-src only" "$(echo "$csp" | grep -o 'http://127.0.0.1:9' | wc -l)" 1
    # the tile server learns the site's origin, not the search
    if grep -qi "^Referrer-Policy: strict-origin-when-cross-origin" "$work/head"; then ok
    else ko "Referrer-Policy with tiles: $(grep -i '^Referrer-Policy' "$work/head")"; fi
    has "tiles on the map" '<image href="http://127.0.0.1:9/plan/'
    has "escaped attribution" '<p class="attribution">Fond de carte : Tuiles &lt;de test&gt; &amp; co</p>'
    hasnt "attribution markup" "<de test>"
    fetch /static/moisson.css
    if grep -qi "^Content-Security-Policy: .*img-src 'self' data: http://127.0.0.1:9;" "$work/head"
    then ok; else ko "CSP of a static file with tiles"; fi
    stop TERM d
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
