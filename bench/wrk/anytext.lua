-- GetRecords, csw:AnyText PropertyIsLike '%term%', maxRecords=10, summary,
-- outputSchema csw:Record, as an HTTP POST of CSW XML (what OWSLib and QGIS
-- send).  The terms rotate over TERMS (one per line, '#' comments); with
-- BBOX=1 every request also carries a BBOX from the BOXES list below.
-- Every CHECK_EVERY-th response (per thread) is read for its RequestId (the
-- term and box of the request) and numberOfRecordsMatched; done() writes
-- "term<TAB>minx miny maxx maxy (or -)<TAB>count" lines to COUNTS_OUT for the driver to compare
-- with SQL.  Non-200 responses are counted and printed.
local terms = {}
local boxes = {
    {-5.5, 42.0, 2.5, 51.5}, -- west half of France
    {2.5, 42.0, 9.6, 51.5},  -- east half
    {-1.0, 45.0, 4.0, 48.5}, -- centre
    {4.0, 43.0, 7.5, 46.5},  -- Rhône-Alpes and the south-east
}
local with_bbox = os.getenv("BBOX") == "1"
local check_every = tonumber(os.getenv("CHECK_EVERY") or "16")
local bodies = {}
local next_req = 0
local seen = 0
counts = {} -- globals: done() reads them with thread:get
errors = 0
local thread_no = 0
local threads = {}

local function load_terms()
    local path = os.getenv("TERMS") or "bench/terms.txt"
    for line in io.lines(path) do
        local t = line:gsub("#.*", ""):gsub("^%s+", ""):gsub("%s+$", "")
        if t ~= "" then terms[#terms + 1] = t end
    end
    assert(#terms > 0, "no term in " .. path)
end

local function xml_escape(s)
    return (s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub('"', "&quot;"))
end

local function body_for(ti, bi)
    local like = '<ogc:PropertyIsLike wildCard="%" singleChar="_" escapeChar="\\">' ..
        "<ogc:PropertyName>csw:AnyText</ogc:PropertyName><ogc:Literal>%" ..
        xml_escape(terms[ti]) .. "%</ogc:Literal></ogc:PropertyIsLike>"
    local filter = like
    if bi > 0 then
        local b = boxes[bi]
        filter = "<ogc:And>" .. like .. "<ogc:BBOX><ogc:PropertyName>ows:BoundingBox" ..
            "</ogc:PropertyName><gml:Envelope><gml:lowerCorner>" .. b[1] .. " " .. b[2] ..
            "</gml:lowerCorner><gml:upperCorner>" .. b[3] .. " " .. b[4] ..
            "</gml:upperCorner></gml:Envelope></ogc:BBOX></ogc:And>"
    end
    return '<?xml version="1.0" encoding="UTF-8"?>' ..
        '<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"' ..
        ' xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml"' ..
        ' service="CSW" version="2.0.2" resultType="results" startPosition="1"' ..
        ' maxRecords="10" outputSchema="http://www.opengis.net/cat/csw/2.0.2"' ..
        ' requestId="' .. ti .. "." .. bi .. '">' ..
        '<csw:Query typeNames="csw:Record"><csw:ElementSetName>summary</csw:ElementSetName>' ..
        '<csw:Constraint version="1.1.0"><ogc:Filter>' .. filter ..
        "</ogc:Filter></csw:Constraint></csw:Query></csw:GetRecords>"
end

function setup(thread)
    thread_no = thread_no + 1
    thread:set("id", thread_no)
    threads[#threads + 1] = thread
end

function init(args)
    load_terms()
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/xml"
    local nb = with_bbox and #boxes or 0
    for ti = 1, #terms do
        for bi = (nb > 0 and 1 or 0), nb do
            bodies[#bodies + 1] = body_for(ti, bi)
        end
    end
    -- threads start at different places of the rotation
    next_req = ((id or 1) - 1) * 7
end

function request()
    next_req = next_req + 1
    local b = bodies[(next_req - 1) % #bodies + 1]
    return wrk.format(nil, nil, nil, b)
end

function response(status, headers, body)
    seen = seen + 1
    if status ~= 200 then
        errors = errors + 1
        return
    end
    if seen % check_every ~= 0 then return end
    local rid = body:match("<csw:RequestId>([^<]*)</csw:RequestId>")
    local n = body:match('numberOfRecordsMatched="(%d+)"')
    if rid and n then
        counts[#counts + 1] = rid .. "=" .. n
    else
        errors = errors + 1
    end
end

function done(summary, latency, requests)
    load_terms()
    local out = os.getenv("COUNTS_OUT")
    local f = out and io.open(out, "w")
    local bad = 0
    for _, t in ipairs(threads) do
        bad = bad + (t:get("errors") or 0)
        local c = t:get("counts") or {}
        for _, kv in ipairs(c) do
            local ti, bi, n = kv:match("^(%d+)%.(%d+)=(%d+)$")
            if f and ti then
                local b = boxes[tonumber(bi)]
                local box = b and table.concat(b, " ") or "-"
                f:write(terms[tonumber(ti)], "\t", box, "\t", n, "\n")
            end
        end
    end
    if f then f:close() end
    io.write(string.format("bad responses: %d\n", bad))
end
