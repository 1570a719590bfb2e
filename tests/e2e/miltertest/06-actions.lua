-- SPDX-License-Identifier: BSD-2-Clause
-- 06-actions.lua - the actions at end of message as the MTA receives
-- them, checked with mt.eom_check: quarantine with the reason naming the
-- prediction, the predicted reply for reject, 451 4.7.1 for tempfail,
-- tags for tag; a message to a non-Gmail recipient only is left alone,
-- and one to Gmail and another domain gets the action (a milter cannot
-- split a message).
dofile(os.getenv("PF_MT_LIB"))

local function send(dom, rcpts)
	local c = pf.open()
	pf.send(c, "a@" .. dom, rcpts,
	    pf.message{ from = "a@" .. dom, two_from = true }, "Hi.\r\n")
	return c
end

pf.run(function()
	local gmail = { "bob@gmail.com" }
	local c = send("hold.example", gmail)
	pf.check(mt.eom_check(c, MT_QUARANTINE, pf.hold_reason("from-multiple")),
	    "hold: quarantined \"" .. pf.hold_reason("from-multiple") .. "\"")
	pf.check(mt.getreply(c) ~= SMFIR_REPLYCODE and
	    mt.getreply(c) ~= SMFIR_REJECT, "hold: not refused")
	mt.disconnect(c)

	c = send("reject.example", gmail)
	pf.check(mt.getreply(c) == SMFIR_REPLYCODE and
	    mt.eom_check(c, MT_SMTPREPLY, "550", "5.7.1",
	    pf.reply_text("from-multiple")),
	    "reject: 550 5.7.1 \"" .. pf.reply_text("from-multiple"):sub(1, 50)
	    .. "...\"")
	pf.check(not mt.eom_check(c, MT_QUARANTINE), "reject: not also held")
	mt.disconnect(c)

	-- a permanent prediction under tempfail: the same text, class 4
	c = send("tempfail.example", gmail)
	pf.check(mt.getreply(c) == SMFIR_REPLYCODE and
	    mt.eom_check(c, MT_SMTPREPLY, "451", "4.7.1",
	    pf.reply_text("from-multiple")), "tempfail: 451 4.7.1, same text")
	mt.disconnect(c)

	c = send("tag.example", gmail)
	pf.check(mt.eom_check(c, MT_HDRADD, "X-Preflight-Verdict") and
	    pf.has_prediction(c, "550 5.7.1 from-multiple; ") and
	    not mt.eom_check(c, MT_QUARANTINE) and
	    mt.getreply(c) ~= SMFIR_REPLYCODE, "tag: tagged only")
	mt.disconnect(c)

	-- only a non-Gmail recipient: the prediction does not count
	c = send("reject.example", { "carol@example.org" })
	pf.check(mt.getreply(c) ~= SMFIR_REPLYCODE and
	    not mt.eom_check(c, MT_QUARANTINE),
	    "reject.example to example.org only: not refused, not held")
	mt.disconnect(c)

	-- Gmail and another domain: the action applies to the message
	c = send("reject.example", { "carol@example.org", "bob@gmail.com" })
	pf.check(mt.getreply(c) == SMFIR_REPLYCODE and
	    mt.eom_check(c, MT_SMTPREPLY, "550", "5.7.1",
	    pf.reply_text("from-multiple")),
	    "reject.example to example.org and gmail.com: refused")
	mt.disconnect(c)
end)
