-- wrk: GET /v1/tickets?limit=20 with a token from the file given as the first argument
-- (one line: one tenant; many: a random one each request).
-- Tokens come from bench/out/tokens.txt (one per line), written by bench/mint_tokens.py.
local tokens = {}

function init(args)
  for line in io.lines(args[1] or "bench/out/tokens.txt") do
    tokens[#tokens + 1] = line
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
  local t = tokens[math.random(#tokens)]
  return wrk.format("GET", "/v1/tickets?limit=20", { ["Authorization"] = "Bearer " .. t })
end

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("status " .. status .. ": " .. body .. "\n")
  end
end
