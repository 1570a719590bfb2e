-- SPDX-License-Identifier: BSD-2-Clause
-- 03-abort.lua - aborts in the middle of a message, then more messages on
-- the same connection: nothing of the aborted message may leak into the
-- next one (its From count, its body, its sender's policy), and the
-- connection keeps working.  Aborts come after MAIL, mid-header, after
-- end of header, mid-body, and after a finished message.
dofile(os.getenv("PF_MT_LIB"))

local two = pf.message{ from = "a@reject.example", two_from = true }
local one = pf.message{ from = "a@reject.example" }

-- not_refused - the last message went on with no reply, hold or tag
local function not_refused(c, what)
	local r = mt.getreply(c)
	pf.check((r == SMFIR_CONTINUE or r == SMFIR_ACCEPT) and
	    not mt.eom_check(c, MT_QUARANTINE) and
	    not mt.eom_check(c, MT_HDRADD, "X-Preflight-Prediction"),
	    what .. ": goes on untouched")
end

-- refused - the last message got the from-multiple reply
local function refused(c, what)
	pf.check(mt.getreply(c) == SMFIR_REPLYCODE and
	    mt.eom_check(c, MT_SMTPREPLY, "550", "5.7.1",
	    pf.reply_text("from-multiple")), what .. ": 550 5.7.1 from-multiple")
end

pf.run(function()
	local c = pf.open()

	-- abort mid-body of a refusable message, then a clean one
	pf.envelope(c, "a@reject.example", { "bob@gmail.com" })
	pf.headers(c, two)
	pf.body(c, "First half of the body,\r\n")
	pf.ok(mt.abort(c), "abort")
	pf.send(c, "a@reject.example", { "bob@gmail.com" }, one, "Clean.\r\n")
	not_refused(c, "clean after an abort mid-body")

	-- the connection still refuses what it should
	pf.send(c, "a@reject.example", { "bob@gmail.com" }, two, "Two.\r\n")
	refused(c, "two From fields after that")

	-- abort mid-header: the first From was seen, the second comes later
	pf.envelope(c, "a@reject.example", { "bob@gmail.com" })
	pf.ok(mt.header(c, "From", "Sender <a@reject.example>"), "header")
	pf.continue(c, "header")
	pf.ok(mt.abort(c), "abort")
	pf.send(c, "a@reject.example", { "bob@gmail.com" }, one, "Clean.\r\n")
	not_refused(c, "clean after an abort mid-header")

	-- abort right after MAIL FROM of hold.example: the next sender's
	-- policy applies (reject.example), not the aborted one's
	pf.envelope(c, "a@hold.example", { "bob@gmail.com" })
	pf.ok(mt.abort(c), "abort")
	pf.send(c, "a@reject.example", { "bob@gmail.com" }, two, "Two.\r\n")
	refused(c, "after an abort after MAIL FROM of another sender")
	pf.check(not mt.eom_check(c, MT_QUARANTINE),
	    "after an abort after MAIL FROM: not held for the old sender")

	-- abort after end of header of a two-From message, then hold.example
	pf.envelope(c, "a@reject.example", { "bob@gmail.com" })
	pf.headers(c, two)
	pf.ok(mt.abort(c), "abort")
	pf.send(c, "a@hold.example", { "bob@gmail.com" },
	    pf.message{ from = "a@hold.example", two_from = true }, "Hold.\r\n")
	pf.check(mt.eom_check(c, MT_QUARANTINE,
	    pf.hold_reason("from-multiple")),
	    "hold after an abort after end of header")

	-- an abort after a finished message (the MTA's RSET), then clean
	pf.ok(mt.abort(c), "abort")
	pf.send(c, "a@reject.example", { "bob@gmail.com" }, one, "Clean.\r\n")
	not_refused(c, "clean after an abort after end of message")

	-- many aborted messages in a row, then the connection still works
	for i = 1, 50 do
		pf.envelope(c, "a@reject.example", { "bob@gmail.com" }, false)
		pf.headers(c, two)
		pf.body(c, string.rep("line " .. i .. "\r\n", 20))
		pf.ok(mt.abort(c), "abort")
	end
	pf.send(c, "a@reject.example", { "bob@gmail.com" }, two, "Two.\r\n")
	refused(c, "after 50 aborted messages")
	mt.disconnect(c)

	-- a connection dropped mid-message without abort or quit
	c = pf.open()
	pf.envelope(c, "a@reject.example", { "bob@gmail.com" })
	pf.headers(c, two)
	pf.body(c, "Half.\r\n")
	mt.disconnect(c, false)
	c = pf.open()
	pf.send(c, "a@reject.example", { "bob@gmail.com" }, one, "Clean.\r\n")
	not_refused(c, "new connection after one dropped mid-message")
	mt.disconnect(c)
end)
