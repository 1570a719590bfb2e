-- SPDX-License-Identifier: BSD-2-Clause
-- 08-big-body.lua - a body over Gmail's 50 MB limit, streamed in 64 KB
-- chunks as an MTA sends it: message-too-large (552 5.3.4) is predicted,
-- and the daemon's peak memory grows by far less than the message (the
-- body is streamed, never held whole).  The runner passes the daemon's
-- pid in PF_MT_PID; its VmHWM is read from /proc.  In a sanitized build
-- (PF_SANITIZED=1) the growth is printed but not judged.
dofile(os.getenv("PF_MT_LIB"))

local function hwm_kb()
	local f = io.open("/proc/" .. os.getenv("PF_MT_PID") .. "/status", "r")
	if not f then
		error("cannot read the daemon's /proc status", 0)
	end
	local s = f:read("a")
	f:close()
	return tonumber(s:match("VmHWM:%s*(%d+) kB"))
end

pf.run(function()
	-- warm up: one ordinary message, so the baseline includes the engine
	local c = pf.open()
	pf.send(c, "a@tag.example", { "bob@gmail.com" },
	    pf.message{ from = "a@tag.example" }, "Hi.\r\n")
	mt.disconnect(c)
	local before = hwm_kb()

	-- 51 MB of 1000-byte lines, in 64 KB chunks (the last one shorter)
	local line = string.rep("z", 998) .. "\r\n"
	local chunk = string.rep(line, 64)	-- 64,000 bytes
	local total = 51 * 1024 * 1024
	c = pf.open()
	pf.envelope(c, "a@tag.example", { "bob@gmail.com" })
	pf.headers(c, pf.message{ from = "a@tag.example" })
	local sent = 0
	while sent < total do
		pf.ok(mt.bodystring(c, chunk), "body")
		pf.continue(c, "body at " .. sent)
		sent = sent + #chunk
	end
	pf.ok(mt.eom(c), "eom")
	pf.check(pf.has_prediction(c, "552 5.3.4 message-too-large; "),
	    sent .. "-byte body: 552 5.3.4 message-too-large tagged")
	mt.disconnect(c)

	-- under AddressSanitizer freed memory sits in its quarantine, so the
	-- peak grows with all that was ever allocated: measured, not judged
	local grew = hwm_kb() - before
	local what = "peak memory grew by " .. grew .. " kB for a " ..
	    (sent // 1024) .. " kB body"
	if os.getenv("PF_SANITIZED") == "1" then
		mt.echo("note - " .. what .. " (not checked: sanitized build)")
	else
		pf.check(grew < 16 * 1024, what .. " (limit 16384 kB)")
	end
end)
