-- wrk: POST /v1/tickets (an agent's create: title, description, priority, tags) with a token
-- from the file given as the first argument (one line: one tenant; many: a random one each time).
local tokens = {}
local body = '{"title":"Bench: printer on floor 3 jams","description":"Opened by the benchmark.",'
  .. '"priority":"high","tags":["bench"]}'

function init(args)
  for line in io.lines(args[1] or "bench/out/tokens.txt") do
    tokens[#tokens + 1] = line
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
  local t = tokens[math.random(#tokens)]
  return wrk.format("POST", "/v1/tickets", {
    ["Authorization"] = "Bearer " .. t,
    ["Content-Type"] = "application/json",
  }, body)
end

function response(status, headers, body)
  if status ~= 201 then
    io.stderr:write("status " .. status .. ": " .. body .. "\n")
  end
end
