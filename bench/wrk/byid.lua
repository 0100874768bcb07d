-- GetRecordById, HTTP GET (KVP), one random identifier of the index per
-- request (IDS: a file with one identifier a line, e.g. dumped from the
-- entry table), outputSchema ISO 19139 (gmd), ElementSetName ELEMENT_SET
-- (default full: the record as the partner wrote it).  Responses other
-- than 200, or with no gmd:MD_Metadata, are counted and printed.
local ids = {}
local set = os.getenv("ELEMENT_SET") or "full"
errors = 0 -- a global: done() reads it with thread:get
local threads = {}
local thread_no = 0

function setup(thread)
    thread_no = thread_no + 1
    thread:set("id", thread_no)
    threads[#threads + 1] = thread
end

function init(args)
    for line in io.lines(os.getenv("IDS") or "ids.txt") do
        if line ~= "" then ids[#ids + 1] = line end
    end
    assert(#ids > 0, "no identifier")
    math.randomseed(42 + (id or 1))
end

local function urlencode(s)
    return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

function request()
    local i = ids[math.random(#ids)]
    return wrk.format("GET", "/csw?service=CSW&version=2.0.2&request=GetRecordById" ..
        "&outputSchema=http%3A%2F%2Fwww.isotc211.org%2F2005%2Fgmd&ElementSetName=" .. set ..
        "&Id=" .. urlencode(i))
end

function response(status, headers, body)
    if status ~= 200 or not body:find("MD_Metadata", 1, true) then
        errors = errors + 1
    end
end

function done(summary, latency, requests)
    local bad = 0
    for _, t in ipairs(threads) do bad = bad + (t:get("errors") or 0) end
    io.write(string.format("bad responses: %d\n", bad))
end
