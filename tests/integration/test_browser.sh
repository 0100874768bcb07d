#!/bin/sh
# The HTML pages used as a person would (CTest test_browser): Debian's
# headless Chromium, driven through chromedriver's WebDriver HTTP protocol
# from python3 (urllib only), against the real `moisson serve` on loopback
# with tests/fixtures/search/records.sql plus fifteen records for paging.
# Types a query, clicks a facet, pages, opens a record, checks that the map
# drew the extents and that a drag on it fills the bbox field, that a
# hostile title shows as text, and that the page raised no CSP violation.
# Then the map over tiles: a second server with --tile-url pointing at the
# tile stand-in (tests/standin/tiles.py, loopback): the map's images are the
# tiles of its view, the stand-in served them, they are painted in the map,
# the extents are still drawn, a drag still gives degrees; with the stand-in
# stopped, the extents still show over an empty background.
# Screenshots go to $MOISSON_ARTEFACTS (the build tree).  Skips (77) when
# chromium or chromedriver is missing.
set -u
bin=${MOISSON_BIN:?}
home=${MOISSON_HOME:?}
src=${MOISSON_SOURCE_DIR:?}
py=${MOISSON_PYTHON:-/usr/bin/python3}
shots=${MOISSON_ARTEFACTS:-$PWD/browser}
chrome=$(command -v chromium || true)
driver=$(command -v chromedriver || true)
if [ -z "$chrome" ] || [ -z "$driver" ]; then
    echo "SKIP: chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
    exit 77
fi
work=$(mktemp -d)
server=""
tiled=""
tiles=""

cleanup() {
    [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null
    [ -n "$tiled" ] && kill -TERM "$tiled" 2>/dev/null && wait "$tiled" 2>/dev/null
    [ -n "$tiles" ] && kill -TERM "$tiles" 2>/dev/null && wait "$tiles" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

admin="host=$home/run user=moisson dbname=postgres"
db="host=$home/run user=moisson dbname=t_browser"
lots="INSERT INTO record (source_id, identifier, type, title, abstract, hash, bbox)
  SELECT s.id, 'lot-' || i, 'dataset', 'Lot numéro ' || i, 'Parcelle du lot.', md5('lot' || i),
         box(point(i * 0.1, 45), point(i * 0.1 + 0.05, 45.05))
    FROM source s, generate_series(1, 15) i WHERE s.name = 'agglo-b';
  SELECT entry_refresh(array_agg(identifier)) FROM record WHERE identifier LIKE 'lot-%';"
psql -q -X -v ON_ERROR_STOP=1 "$admin" -c "DROP DATABASE IF EXISTS t_browser" \
    -c "CREATE DATABASE t_browser" >"$work/psql.out" 2>&1 &&
    "$bin" -q --db "$db" migrate >>"$work/psql.out" 2>&1 &&
    psql -q -X -v ON_ERROR_STOP=1 "$db" -f "$src/tests/fixtures/search/records.sql" \
        >>"$work/psql.out" 2>&1 &&
    psql -q -X -v ON_ERROR_STOP=1 "$db" -c "$lots" >>"$work/psql.out" 2>&1 || {
    echo "FAIL: could not prepare the database"
    cat "$work/psql.out"
    echo "0 passed, 1 failed"
    exit 1
}

# listening NAME PID: waits for the server PID to print the URL it listens on
# into $work/NAME.out, and prints that URL (nothing if it did not start)
listening() {
    i=0
    while ! grep -q "^listening on " "$work/$1.out" 2>/dev/null && [ $i -lt 300 ]; do
        kill -0 "$2" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    sed -n 's/^listening on \(http:[^ ]*\)\/$/\1/p' "$work/$1.out"
}

"$bin" --db "$db" serve --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
server=$!
url=$(listening serve "$server")
# the tile stand-in, and a second server whose map is drawn over its tiles
"$py" "$src/tests/standin/tiles.py" --port 0 --port-file "$work/tiles.port" \
    --log "$work/tiles.log" >"$work/tiles.err" 2>&1 &
tiles=$!
i=0
while [ ! -s "$work/tiles.port" ] && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
tport=$(cat "$work/tiles.port" 2>/dev/null)
"$bin" --db "$db" serve --listen 127.0.0.1:0 --tile-url "http://127.0.0.1:$tport/{z}/{x}/{y}.png" \
    --tile-attribution "Tuiles d'essai" >"$work/tiled.out" 2>"$work/tiled.err" &
tiled=$!
turl=$(listening tiled "$tiled")
if [ -z "$url" ] || [ -z "$tport" ] || [ -z "$turl" ]; then
    echo "FAIL: moisson serve (with and without tiles) or the tile stand-in did not start"
    cat "$work/serve.out" "$work/serve.err" "$work/tiles.err" "$work/tiled.out" "$work/tiled.err"
    echo "0 passed, 1 failed"
    exit 1
fi
mkdir -p "$shots"

"$py" - "$url" "$chrome" "$driver" "$shots" "$work" "$turl" "$tiles" "$src" <<'PY'
import base64, json, math, os, signal, socket, struct, subprocess, sys, time, zlib
import urllib.error, urllib.request

base, chrome, driver, shots, work, tiled, tiles_pid, src = sys.argv[1:9]
sys.path.insert(0, os.path.join(src, "tests", "standin"))
from tiles import FILLS  # the tile stand-in's two fill colours
ELEM = "element-6066-11e4-a52e-4f735466cecf"
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL " + name + (": " + str(detail) if detail else ""))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def tiles_of(view):
    """The paths /z/x/y.png of the tiles over view (west, south, east, north):
    the deepest zoom, at most 18, with at most 4 tiles across and down;
    worked out with the usual slippy-map formulas, apart from web_map.c."""
    west, south, east, north = view
    for z in range(18, -1, -1):
        n = 2 ** z

        def index(f, last):
            i = math.ceil(f) - 1 if last else math.floor(f)
            return min(max(i, 0), n - 1)

        def col(lon, last):
            return index((lon + 180) / 360 * n, last)

        def row(lat, last):
            return index((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n, last)

        x0, x1, y0, y1 = col(west, 0), col(east, 1), row(north, 0), row(south, 1)
        if x1 - x0 < 4 and y1 - y0 < 4:
            return ["/%d/%d/%d.png" % (z, x, y) for x in range(x0, x1 + 1)
                    for y in range(y0, y1 + 1)]


def png_rows(data):
    """(channels, rows) of an 8-bit RGB or RGBA PNG (a screenshot), unfiltered."""
    pos, idat = 8, b""
    while pos < len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + size]
        pos += 12 + size
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
    if depth != 8 or colour not in (2, 6):
        raise ValueError("unexpected PNG: depth %d, colour type %d" % (depth, colour))
    ch = 3 if colour == 2 else 4
    raw, stride, rows, prev, at = zlib.decompress(idat), width * ch, [], bytearray(width * ch), 0
    for _ in range(height):
        kind, line = raw[at], bytearray(raw[at + 1:at + 1 + stride])
        at += 1 + stride
        for i in range(stride):
            a = line[i - ch] if i >= ch else 0
            b = prev[i]
            c = prev[i - ch] if i >= ch else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return ch, rows


def tile_share(b64png):
    """The share of a screenshot's pixels painted with a tile's fill."""
    ch, rows = png_rows(base64.b64decode(b64png))
    hits = total = 0
    for line in rows:
        for i in range(0, len(line), ch):
            total += 1
            px = line[i:i + 3]
            hits += any(all(abs(px[k] - f[k]) <= 3 for k in range(3)) for f in FILLS)
    return hits / total if total else 0


def served_paths():
    try:
        with open(os.path.join(work, "tiles.log")) as f:
            return set(f.read().split())
    except OSError:
        return set()


port = free_port()
wd = "http://127.0.0.1:%d" % port
proc = subprocess.Popen([driver, "--port=%d" % port], stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL)


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(wd + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.load(r)["value"]
    except urllib.error.HTTPError as e:
        raise RuntimeError("%s %s: %s" % (method, path, e.read()[:300]))


sid = None
try:
    for _ in range(100):
        try:
            if call("GET", "/status").get("ready"):
                break
        except Exception:
            pass
        time.sleep(0.1)
    caps = {"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:loggingPrefs": {"browser": "ALL"},
        "goog:chromeOptions": {"binary": chrome, "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--window-size=1200,1400", "--lang=fr-FR",
            "--user-data-dir=" + os.path.join(work, "profile")],
            "prefs": {"intl.accept_languages": "fr-FR,fr"}}}}}
    sid = call("POST", "/session", caps)["sessionId"]
    S = "/session/" + sid

    def url():
        return call("GET", S + "/url")

    def go(path):
        call("POST", S + "/url", {"url": base + path})

    def js(script, *args):
        return call("POST", S + "/execute/sync", {"script": script, "args": list(args)})

    def find(css):
        v = call("POST", S + "/element", {"using": "css selector", "value": css})
        if ELEM not in v:
            raise RuntimeError("no element %s: %s" % (css, v))
        return v[ELEM]

    def finds(css):
        return [e[ELEM] for e in call("POST", S + "/elements",
                                      {"using": "css selector", "value": css})]

    def text(eid):
        return call("GET", S + "/element/%s/text" % eid)

    def click(eid):
        """Clicks a link or button that loads another URL, and waits for it."""
        before = url()
        call("POST", S + "/element/%s/click" % eid, {})
        for _ in range(200):
            if url() != before and js("return document.readyState") == "complete":
                return
            time.sleep(0.05)
        raise RuntimeError("clicking did not leave " + before)

    def shot(name):
        png = base64.b64decode(call("GET", S + "/screenshot"))
        with open(os.path.join(shots, name), "wb") as f:
            f.write(png)

    def extents():
        return js("return document.querySelectorAll("
                  "'svg#map rect.extent, svg#map circle.point').length")

    def drag_on_map():
        """Drags the mouse across the map's middle; the bbox field's value."""
        origin = {ELEM: find("svg#map")}
        call("POST", S + "/actions", {"actions": [{
            "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
            "actions": [
                {"type": "pointerMove", "duration": 0, "origin": origin, "x": -60, "y": -40},
                {"type": "pointerDown", "button": 0},
                {"type": "pointerMove", "duration": 200, "origin": origin, "x": 60, "y": 40},
                {"type": "pointerUp", "button": 0}]}]})
        return js("return document.getElementById('bbox').value")

    # the home page: every entry, the map draws the extents of the page's results
    go("/")
    title = js("return document.title")
    check("home page title", "Catalogue du territoire" in title, title)
    check("home map draws the extents", extents() >= 5, extents())
    # type a query and submit
    q = find("#q")
    call("POST", S + "/element/%s/value" % q, {"text": "eglise"})
    click(find("form.search button[type=submit]"))
    check("query in the URL", "q=eglise" in url(), url())
    check("two results", text(find("#matched")) == "2", text(find("#matched")))
    marks = js("return [...document.querySelectorAll('ol.hits mark')].map(m => m.textContent)")
    check("matching words highlighted", "Églises" in marks and "église" in marks, marks)
    check("map draws two extents", extents() == 2, extents())
    shot("search.png")
    # click a facet
    links = finds("section[data-facet=partner] a")
    target = [e for e in links if text(e).startswith("mairie-a")]
    check("partner facet listed", len(target) == 1, [text(e) for e in links])
    if target:
        click(target[0])
        check("facet in the URL", "partner=mairie-a" in url(), url())
        check("facet narrows to one", text(find("#matched")) == "1")
        check("facet kept in the form",
              js("return document.querySelector('input[type=hidden][name=partner]').value")
              == "mairie-a")
        shot("facet.png")
        click(find("a.remove"))
        check("facet removed", "partner" not in url() and text(find("#matched")) == "2", url())
    # paging
    go("/")
    q = find("#q")
    call("POST", S + "/element/%s/value" % q, {"text": "lot"})
    click(find("form.search button[type=submit]"))
    check("fifteen lots", text(find("#matched")) == "15")
    check("ten on the first page", len(finds("ol.hits > li")) == 10)
    click(find("a[rel=next]"))
    check("page 2 in the URL", "page=2" in url(), url())
    check("five on the second page", len(finds("ol.hits > li")) == 5)
    check("map follows the page", extents() == 5, extents())
    shot("page2.png")
    # the map script: a drag on the map fills the bbox field
    bbox = drag_on_map()
    parts = bbox.split(",")
    ok = len(parts) == 4
    try:
        w, s_, e, n = map(float, parts)
        ok = ok and w < e and s_ < n
    except ValueError:
        ok = False
    check("a drag on the map fills bbox", ok, bbox)
    shot("bbox.png")
    if ok:
        click(find("form.search button[type=submit]"))
        check("bbox search answers", "bbox=" in url() and
              int(text(find("#matched"))) <= 15, url())
    # open a record
    go("/?q=eglise")
    first = find("ol.hits h3 a")
    title = text(first)
    click(first)
    check("record page opened", "/record/" in url(), url())
    check("record title", text(find("h1")) == title, title)
    check("record provenance", "mairie-a" in text(find("table.provenance")))
    check("record CSW links", len(finds("a[href*=GetRecordById]")) == 2)
    shot("record.png")
    # hostile text shows as text
    go("/?partner=dept-c&sort=title")
    titles = js("return [...document.querySelectorAll('ol.hits h3')].map(e => e.textContent)")
    check("hostile title as text", any("</script> <b>gras</b>" in t for t in titles), titles)
    check("no element from harvested text", js("return document.querySelectorAll('ol.hits b, "
                                               "ol.hits script').length") == 0)
    shot("hostile.png")
    # English, the partners page, a phone-sized window
    go("/partners?lang=en")
    check("partners page in English", text(find("h1")) == "Partners and harvests")
    check("three partners", len(finds("section.partner")) == 3)
    shot("partners.png")
    call("POST", S + "/window/rect", {"width": 400, "height": 900})
    go("/?q=eglise")
    check("no horizontal scroll on a phone",
          js("return document.documentElement.scrollWidth <= window.innerWidth + 1"))
    shot("phone.png")
    try:
        logs = call("POST", S + "/se/log", {"type": "browser"})
        bad = [l["message"] for l in logs if "Content Security Policy" in l["message"]
               or l.get("level") == "SEVERE"]
        check("no CSP violation or script error in the console", not bad, bad)
    except RuntimeError as e:
        print("note: browser log not available (%s)" % e)

    # ---- the map over tiles: the second server, --tile-url at the stand-in ----
    call("POST", S + "/window/rect", {"width": 1200, "height": 1400})
    call("POST", S + "/url", {"url": tiled + "/?q=eglise"})
    view = js("var m = document.getElementById('map'); return [m.dataset.west, "
              "m.dataset.south, m.dataset.east, m.dataset.north].map(parseFloat)")
    want = tiles_of(view)
    hrefs = js("return [...document.querySelectorAll('svg#map image')]"
               ".map(i => new URL(i.getAttribute('href')).pathname)")
    check("one image per tile of the view", sorted(hrefs) == sorted(want), (hrefs, want))
    check("a few tiles", 1 <= len(want) <= 16, want)
    for _ in range(100):
        if set(want) <= served_paths():
            break
        time.sleep(0.05)
    check("the tile server served the view's tiles (z/x/y)", set(want) <= served_paths(),
          (want, sorted(served_paths())))
    check("extents drawn over the tiles", extents() == 2, extents())
    check("attribution under the map", "Tuiles d'essai" in text(find("p.attribution")))
    share = tile_share(call("GET", S + "/element/%s/screenshot" % find("svg#map")))
    check("tiles painted in the map", share > 0.3, share)
    shot("tiles.png")
    # the map script converts back from Web Mercator
    bbox = drag_on_map()
    try:
        w, s_, e, n = map(float, bbox.split(","))
        ok = view[0] <= w < e <= view[2] and view[1] <= s_ < n <= view[3]
        # the drag is centred on the map: so is its box, in Mercator northing
        mid = (math.asinh(math.tan(math.radians(s_))) + math.asinh(math.tan(math.radians(n)))) / 2
        top, bottom = (math.asinh(math.tan(math.radians(v))) for v in (view[3], view[1]))
        ok = ok and abs(mid - (top + bottom) / 2) < 0.05 * (top - bottom)
    except ValueError:
        ok = False
    check("a drag on the tiled map fills bbox in degrees", ok, (bbox, view))
    try:
        logs = call("POST", S + "/se/log", {"type": "browser"})
        bad = [l["message"] for l in logs if "Content Security Policy" in l["message"]
               or l.get("level") == "SEVERE"]
        check("no CSP violation or error with tiles", not bad, bad)
    except RuntimeError as e:
        print("note: browser log not available (%s)" % e)
    # the tile server gone (no network): an empty background, the extents still drawn
    tport = int(js("return new URL(document.querySelector('svg#map image')"
                   ".getAttribute('href')).port"))
    os.kill(int(tiles_pid), signal.SIGTERM)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", tport), timeout=1).close()
            time.sleep(0.05)
        except OSError:
            break
    call("POST", S + "/url", {"url": tiled + "/?q=eglise"})
    check("without the tile server the extents still show", extents() == 2, extents())
    check("without the tile server the images are still in the map",
          len(finds("svg#map image")) == len(want))
    share = tile_share(call("GET", S + "/element/%s/screenshot" % find("svg#map")))
    check("without the tile server no tile is painted", share < 0.01, share)
    shot("tiles-offline.png")
    try:
        call("POST", S + "/se/log", {"type": "browser"})  # the failed tile loads, expected
    except RuntimeError:
        pass
except Exception as e:
    check("browser session", False, repr(e))
    try:
        print(url(), js("return document.documentElement.outerHTML")[:1500])
    except Exception:
        pass
finally:
    if sid:
        try:
            call("DELETE", "/session/" + sid)
        except Exception:
            pass
    proc.terminate()
    proc.wait(10)
print("%d passed, %d failed (screenshots in %s)" % (passed, failed, shots))
sys.exit(1 if failed else 0)
PY
rc=$?
for name in serve tiled; do
    if [ "$name" = serve ]; then pid=$server; else pid=$tiled; fi
    kill -TERM "$pid"
    wait "$pid"
    src_rc=$?
    if [ "$src_rc" != 0 ]; then
        echo "FAIL: moisson serve ($name) exited with $src_rc"
        cat "$work/$name.err"
        rc=1
    fi
done
server=""
tiled=""
exit $rc
