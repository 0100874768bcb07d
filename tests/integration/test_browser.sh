#!/bin/sh
# The HTML pages used as a person would (CTest test_browser): Debian's
# headless Chromium, driven through chromedriver's WebDriver HTTP protocol
# from python3 (urllib only), against the real `moisson serve` on loopback
# with tests/fixtures/search/records.sql plus fifteen records for paging.
# Types a query, clicks a facet, pages, opens a record, checks that the map
# drew the extents and that a drag on it fills the bbox field, that a
# hostile title shows as text, and that the page raised no CSP violation.
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

cleanup() {
    [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null
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
mkdir -p "$shots"

"$py" - "$url" "$chrome" "$driver" "$shots" "$work" <<'PY'
import base64, json, os, socket, subprocess, sys, time, urllib.error, urllib.request

base, chrome, driver, shots, work = sys.argv[1:6]
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
    svg = find("svg#map")
    origin = {ELEM: svg}
    call("POST", S + "/actions", {"actions": [{
        "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
        "actions": [
            {"type": "pointerMove", "duration": 0, "origin": origin, "x": -60, "y": -40},
            {"type": "pointerDown", "button": 0},
            {"type": "pointerMove", "duration": 200, "origin": origin, "x": 60, "y": 40},
            {"type": "pointerUp", "button": 0}]}]})
    bbox = js("return document.getElementById('bbox').value")
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
