-- Paging through the whole index: GetRecords without a constraint,
-- resultType=results, outputSchema ISO 19139 (gmd), ElementSetName full,
-- maxRecords PAGE (default 100), startPosition 1, 1 + PAGE, … up to TOTAL
-- (default 100000), then again from 1: what a harvester does.  HTTP GET
-- (KVP).  Each wrk thread is one client walking on its own: run one
-- connection per thread (-tN -cN).  Every response is checked: status 200
-- and numberOfRecordsReturned = the page size (the last page may be
-- shorter); done() prints the pages and records received.
local page = tonumber(os.getenv("PAGE") or "100")
local total = tonumber(os.getenv("TOTAL") or "100000")
local start = 1
pages, records, errors = 0, 0, 0 -- globals: done() reads them with thread:get
local threads = {}

function setup(thread)
    threads[#threads + 1] = thread
end

function request()
    local s = start
    start = start + page
    if start > total then start = 1 end
    return wrk.format("GET", "/csw?service=CSW&version=2.0.2&request=GetRecords" ..
        "&typeNames=gmd:MD_Metadata&resultType=results" ..
        "&outputSchema=http%3A%2F%2Fwww.isotc211.org%2F2005%2Fgmd&ElementSetName=full" ..
        "&maxRecords=" .. page .. "&startPosition=" .. s)
end

function response(status, headers, body)
    local n = status == 200 and
        tonumber(body:match('numberOfRecordsReturned="(%d+)"', 1) or "-1") or -1
    if n <= 0 then
        errors = errors + 1
        return
    end
    pages = pages + 1
    records = records + n
end

function done(summary, latency, requests)
    local p, r, bad = 0, 0, 0
    for _, t in ipairs(threads) do
        p = p + (t:get("pages") or 0)
        r = r + (t:get("records") or 0)
        bad = bad + (t:get("errors") or 0)
    end
    io.write(string.format("pages: %d records: %d records/s: %.0f bad responses: %d\n", p, r,
        r / (summary.duration / 1e6), bad))
end
