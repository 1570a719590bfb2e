-- SPDX-License-Identifier: BSD-2-Clause
-- common.lua - helpers shared by the miltertest scripts (loaded with
-- dofile(os.getenv("PF_MT_LIB"))).  A script calls pf.run(function ...)
-- so that a failed check prints its message (miltertest's error() exits 1
-- silently) and exits 1.  Steps the daemon negotiated away (SMFIP_NO*)
-- are skipped, as an MTA would.  miltertest itself adds the leading space
-- an MTA keeps when SMFIP_HDR_LEADSPC is negotiated, and copies a header
-- field into a 1 KB stack buffer: longer values crash it, so the 60 KB
-- case is sent by bigheader.py instead.  The configuration the
-- runner writes maps sender domains to actions: tag.example tags,
-- hold.example holds, reject.example rejects, tempfail.example tempfails.

pf = {}
io.stdout:setvbuf("line")	-- mt.echo output survives a crash
pf.sock = os.getenv("PF_MT_SOCKET")
pf.passed = 0

-- pf.run - run the test body; report and exit 1 on the first failure
function pf.run(body)
	local ok, err = pcall(body)
	if not ok then
		mt.echo("FAIL: " .. tostring(err))
		os.exit(1)
	end
	mt.echo(pf.passed .. " checks passed")
end

-- pf.check - one named check
function pf.check(cond, what)
	if not cond then
		error(what, 0)
	end
	pf.passed = pf.passed + 1
	mt.echo("ok - " .. what)
end

-- pf.ok - an mt.* call that returns nil on success
function pf.ok(rc, what)
	if rc ~= nil then
		error(what .. ": " .. tostring(rc), 0)
	end
end

-- pf.continue - the last reply was "continue"
function pf.continue(c, what)
	local r = mt.getreply(c)
	if r ~= SMFIR_CONTINUE then
		error(what .. ": reply '" .. string.char(math.tointeger(r) or 63) ..
		    "', expected continue", 0)
	end
end

-- pf.open{macros=, addr=} - a connection up to HELO.  macros=false sends
-- no connect macros; addr="unspec" is a connection of no known family (a
-- local submission).
function pf.open(o)
	o = o or {}
	local c = mt.connect(pf.sock, 40, 0.25)
	if c == nil then
		error("cannot connect to " .. tostring(pf.sock), 0)
	end
	if o.macros ~= false then
		mt.macro(c, SMFIC_CONNECT, "j", "mta.example.com",
		    "{daemon_name}", "MTA", "{client_addr}", "192.0.2.55",
		    "_", "client.example.com [192.0.2.55]")
	end
	pf.ok(mt.conninfo(c, "client.example.com", o.addr or "192.0.2.55"),
	    "conninfo")
	pf.continue(c, "connect")
	if not mt.test_option(c, SMFIP_NOHELO) then
		pf.ok(mt.helo(c, "client.example.com"), "helo")
		pf.continue(c, "helo")
	end
	return c
end

-- pf.envelope(c, from, rcpts, macros) - MAIL FROM and RCPT TO; macros=false
-- sends no MAIL or RCPT macros (no queue id, no auth, no daemon name).
-- RCPT macros go with lists of up to 10 recipients only: miltertest writes
-- a macro and the command after it as two small packets, and each such
-- pair then waits 40 ms for the daemon's delayed ACK (Nagle), which makes
-- 2000 recipients take minutes
function pf.envelope(c, from, rcpts, macros)
	if macros ~= false then
		mt.macro(c, SMFIC_MAIL, "i", "4ABCD12345", "{mail_addr}", from,
		    "{daemon_name}", "MTA")
	end
	pf.ok(mt.mailfrom(c, "<" .. from .. ">"), "mailfrom")
	pf.continue(c, "mail from")
	if not mt.test_option(c, SMFIP_NORCPT) then
		for _, r in ipairs(rcpts) do
			if macros ~= false and #rcpts <= 10 then
				mt.macro(c, SMFIC_RCPT, "{rcpt_addr}", r)
			end
			pf.ok(mt.rcptto(c, "<" .. r .. ">"), "rcptto")
			pf.continue(c, "rcpt to")
		end
	end
end

-- pf.message{from=, two_from=, subject=, extra=, msgid=, content_type=} -
-- header fields as a list of {name, value}; msgid=false leaves out
-- Message-ID, a string sets its local part (default: random)
function pf.message(o)
	local h = {}
	local dom = o.from:match("@(.*)$")
	h[#h + 1] = { "From", "Sender <" .. o.from .. ">" }
	if o.two_from then
		h[#h + 1] = { "From", "Other <other@" .. dom .. ">" }
	end
	h[#h + 1] = { "To", "<bob@gmail.com>" }
	h[#h + 1] = { "Subject", o.subject or "miltertest" }
	h[#h + 1] = { "Date", "Sun, 29 Nov 2026 05:00:00 +0000" }
	if o.msgid ~= false then
		h[#h + 1] = { "Message-ID", "<" .. (o.msgid or
		    ("mt." .. math.random(1, 1000000000))) .. "@" .. dom .. ">" }
	end
	h[#h + 1] = { "MIME-Version", "1.0" }
	for _, x in ipairs(o.extra or {}) do
		h[#h + 1] = x
	end
	if not o.content_type then
		h[#h + 1] = { "Content-Type", "text/plain" }
	else
		h[#h + 1] = { "Content-Type", o.content_type }
	end
	return h
end

-- pf.headers(c, list) - DATA, the fields, then end of header
function pf.headers(c, list)
	if not mt.test_option(c, SMFIP_NODATA) then
		pf.ok(mt.data(c), "data")
		pf.continue(c, "data")
	end
	if not mt.test_option(c, SMFIP_NOHDRS) then
		for _, f in ipairs(list) do
			pf.ok(mt.header(c, f[1], f[2]), "header " .. f[1])
			pf.continue(c, "header " .. f[1])
		end
	end
	if not mt.test_option(c, SMFIP_NOEOH) then
		pf.ok(mt.eoh(c), "eoh")
		pf.continue(c, "eoh")
	end
end

-- pf.body(c, text, size) - the body in chunks of size bytes (whole if nil)
function pf.body(c, text, size)
	if mt.test_option(c, SMFIP_NOBODY) then
		return
	end
	size = size or #text
	local i = 1
	while i <= #text do
		pf.ok(mt.bodystring(c, text:sub(i, i + size - 1)), "body")
		pf.continue(c, "body chunk at " .. i)
		i = i + size
	end
end

-- pf.send(c, from, rcpts, headers, body, chunk) - one whole message up to
-- and including end of message
function pf.send(c, from, rcpts, headers, body, chunk, macros)
	pf.envelope(c, from, rcpts, macros)
	pf.headers(c, headers)
	pf.body(c, body, chunk)
	pf.ok(mt.eom(c), "eom")
end

-- pf.added(c, name) - the values of every field NAME added at eom,
-- without the leading space
function pf.added(c, name)
	local v = {}
	local n = 0
	while true do
		local x = mt.getheader(c, name, n)
		if x == nil then
			break
		end
		v[#v + 1] = (x:gsub("^%s+", ""))
		n = n + 1
	end
	return v
end

-- pf.tags(c) - verdict and predictions added at eom, as one string
function pf.tags(c)
	local v = pf.added(c, "X-Preflight-Verdict")
	local p = pf.added(c, "X-Preflight-Prediction")
	return "verdict=" .. table.concat(v, ",") .. " predictions=" ..
	    table.concat(p, " | ")
end

-- pf.has_prediction(c, prefix) - an X-Preflight-Prediction starts so
function pf.has_prediction(c, prefix)
	for _, p in ipairs(pf.added(c, "X-Preflight-Prediction")) do
		if p:sub(1, #prefix) == prefix then
			return true
		end
	end
	return false
end

-- pf.rule(id) - {reply=, status=, text=, fix=} of one rule, read from the
-- rules file the daemon runs with ($PF_MT_RULES)
function pf.rule(id)
	local f = assert(io.open(os.getenv("PF_MT_RULES"), "r"))
	local r, inside = {}, false
	for line in f:lines() do
		local name = line:match("^rule%s+(%S+)")
		if name then
			inside = (name == id)
		elseif inside and line:match("^end") then
			break
		elseif inside then
			local k, v = line:match('^%s+(%a+)%s+"(.*)"%s*$')
			if k then
				r[k] = v:gsub('\\(["\\])', "%1")
			else
				k, v = line:match("^%s+(%a+)%s+(%S+)")
				if k then
					r[k] = v
				end
			end
		end
	end
	f:close()
	if not r.reply then
		error("rule " .. id .. " not in " .. os.getenv("PF_MT_RULES"), 0)
	end
	return r
end

-- pf.reply_text(id[, text]) - the refusal text the daemon must give for
-- a prediction of rule id: "preflight: Gmail would answer R S (id): TEXT
-- Fix: FIX", blanks collapsed (text defaults to the rule's own, for rules
-- without placeholders)
function pf.reply_text(id, text)
	local r = pf.rule(id)
	local s = "preflight: Gmail would answer " .. r.reply .. " " ..
	    r.status .. " (" .. id .. "): " .. (text or r.text) .. " Fix: " ..
	    r.fix
	s = s:gsub("%s+", " "):gsub("%%", "%%%%")
	if #s >= 899 or s:find("[^\32-\126]") then
		error("reply for " .. id .. " would be cut or cleaned", 0)
	end
	return s
end

-- pf.hold_reason(id) - the quarantine reason for a prediction of rule id
function pf.hold_reason(id)
	local r = pf.rule(id)
	return "preflight: Gmail would answer " .. r.reply .. " " .. r.status ..
	    " (" .. id .. ")"
end

return pf
