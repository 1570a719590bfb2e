-- SPDX-License-Identifier: BSD-2-Clause
-- 07-recipients.lua - the envelope: more than 100 recipients is Gmail's
-- 452 4.5.3 (too-many-recipients, a temporary refusal at RCPT), 100 is
-- not; a temporary prediction is tagged but never refused under a policy
-- that rejects only permanent ones; 2000 recipients and an unknown SMTP
-- command in the session are handled.
dofile(os.getenv("PF_MT_LIB"))

local function rcpts(n, dom)
	local t = {}
	for i = 1, n do
		t[#t + 1] = "user" .. i .. "@" .. dom
	end
	return t
end

local function send(sender, list)
	local c = pf.open()
	pf.send(c, sender, list,
	    pf.message{ from = sender }, "Hi.\r\n")
	return c
end

pf.run(function()
	local c = send("a@tag.example", rcpts(101, "gmail.com"))
	pf.check(pf.has_prediction(c, "452 4.5.3 too-many-recipients; "),
	    "101 Gmail recipients: 452 4.5.3 too-many-recipients tagged")
	mt.disconnect(c)

	c = send("a@tag.example", rcpts(100, "gmail.com"))
	pf.check(not pf.has_prediction(c, "452 4.5.3 too-many-recipients; "),
	    "100 Gmail recipients: no too-many-recipients")
	mt.disconnect(c)

	-- reject.example rejects permanent predictions only
	c = send("a@reject.example", rcpts(2000, "gmail.com"))
	local r = mt.getreply(c)
	pf.check(r ~= SMFIR_REPLYCODE and r ~= SMFIR_REJECT and
	    r ~= SMFIR_TEMPFAIL and not mt.eom_check(c, MT_QUARANTINE),
	    "2000 recipients at reject.example: not refused, not held " ..
	    "(the prediction is temporary)")
	pf.check(pf.has_prediction(c, "452 4.5.3 too-many-recipients; "),
	    "2000 recipients: tagged 452 4.5.3 too-many-recipients")
	mt.disconnect(c)

	-- an unknown SMTP command between messages, then a normal message
	c = pf.open()
	if not mt.test_option(c, SMFIP_NOUNKNOWN) then
		pf.ok(mt.unknown(c, "XYZZY plugh"), "unknown")
	end
	pf.send(c, "a@reject.example", { "bob@gmail.com" },
	    pf.message{ from = "a@reject.example", two_from = true }, "Hi.\r\n")
	pf.check(mt.getreply(c) == SMFIR_REPLYCODE and
	    mt.eom_check(c, MT_SMTPREPLY, "550", "5.7.1",
	    pf.reply_text("from-multiple")),
	    "after an unknown command: refused 550 5.7.1 as usual")
	mt.disconnect(c)
end)
