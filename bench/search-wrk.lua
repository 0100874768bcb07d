-- search-wrk.lua — wrk script of bench/search-bench: every request is the
-- next line of the paths file (SEARCH_PATHS), round robin from a random
-- start per connection, so that the whole query mix is asked all the time.
local paths = {}
local i = 0

function init(args)
    for line in io.lines(os.getenv("SEARCH_PATHS")) do
        paths[#paths + 1] = line
    end
    i = math.random(#paths)
end

function request()
    i = i % #paths + 1
    return wrk.format("GET", paths[i])
end
