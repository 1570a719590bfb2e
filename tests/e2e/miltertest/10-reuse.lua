-- SPDX-License-Identifier: BSD-2-Clause
-- 10-reuse.lua - several messages on one connection, where the daemon
-- reuses the check of the last message for the next: a message that
-- triggers predictions, then one that must trigger none, then the same
-- after an RSET in the middle of a triggering message, and again with the
-- order turned.  Nothing of a message (its header counts, its predictions,
-- its sender) may show in the next one.
dofile(os.getenv("PF_MT_LIB"))

local gmail = { "bob@gmail.com" }
local bad = pf.message{ from = "a@tag.example", two_from = true,
    extra = { { "Subject", "a second Subject" } } }
local clean = pf.message{ from = "b@tag.example" }

-- tagged - the last message carries the from-multiple prediction
local function tagged(c, what)
	pf.check(mt.eom_check(c, MT_HDRADD, "X-Preflight-Verdict") and
	    pf.has_prediction(c, "550 5.7.1 from-multiple; "), what ..
	    ": from-multiple predicted (" .. pf.tags(c) .. ")")
end

-- untouched - the last message went on with no prediction at all (a
-- clean message is accepted without fields)
local function untouched(c, what)
	pf.check(#pf.added(c, "X-Preflight-Verdict") == 0 and
	    #pf.added(c, "X-Preflight-Prediction") == 0 and
	    not mt.eom_check(c, MT_QUARANTINE) and
	    mt.getreply(c) ~= SMFIR_REPLYCODE, what ..
	    ": no prediction (" .. pf.tags(c) .. ")")
end

pf.run(function()
	local c = pf.open()

	pf.send(c, "a@tag.example", gmail, bad, "First.\r\n")
	tagged(c, "first message")
	pf.send(c, "b@tag.example", gmail, clean, "Second.\r\n")
	untouched(c, "second message on the same connection")

	-- RSET half-way through a triggering message, then a clean one
	pf.envelope(c, "a@tag.example", gmail)
	pf.headers(c, bad)
	pf.body(c, "Half.\r\n")
	pf.ok(mt.abort(c), "abort")
	pf.send(c, "b@tag.example", gmail, clean, "Third.\r\n")
	untouched(c, "clean after an RSET mid-message")

	-- and the reused check still predicts, many times over
	for i = 1, 20 do
		pf.send(c, "a@tag.example", gmail, bad, "Bad " .. i .. ".\r\n")
		tagged(c, "bad message " .. i)
		pf.send(c, "b@tag.example", { "carol@gmail.com", "d@gmail.com" },
		    clean, "Clean " .. i .. ".\r\n")
		untouched(c, "clean message " .. i)
	end
	mt.disconnect(c)
end)
