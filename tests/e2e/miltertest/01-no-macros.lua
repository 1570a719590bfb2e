-- SPDX-License-Identifier: BSD-2-Clause
-- 01-no-macros.lua - sessions in which the MTA sends no macros at all (no
-- queue id, no {daemon_name}, no auth, no client address macro, no
-- recipient macros), from a connection of no known address family, and
-- with the null sender: the daemon must still predict and act.  (miltertest
-- always sends a HELO, with a default name where the script gives none.)
dofile(os.getenv("PF_MT_LIB"))

pf.run(function()
	-- clean message, no macros: goes on untouched
	local c = pf.open{ macros = false }
	pf.send(c, "a@tag.example", { "bob@gmail.com" },
	    pf.message{ from = "a@tag.example" }, "Hello.\r\n", nil, false)
	local r = mt.getreply(c)
	pf.check(r == SMFIR_CONTINUE or r == SMFIR_ACCEPT,
	    "no macros, clean: message goes on")
	pf.check(not mt.eom_check(c, MT_HDRADD, "X-Preflight-Prediction") and
	    not mt.eom_check(c, MT_QUARANTINE) and
	    mt.getreply(c) ~= SMFIR_REPLYCODE,
	    "no macros, clean: no prediction, no hold, no reply")
	mt.disconnect(c)

	-- no macros: two From fields at tag.example are tagged
	c = pf.open{ macros = false }
	pf.send(c, "a@tag.example", { "bob@gmail.com" },
	    pf.message{ from = "a@tag.example", two_from = true },
	    "Hello.\r\n", nil, false)
	pf.check(mt.getreply(c) == SMFIR_CONTINUE or
	    mt.getreply(c) == SMFIR_ACCEPT, "no macros, tag: message goes on")
	pf.check(mt.eom_check(c, MT_HDRADD, "X-Preflight-Verdict") and
	    pf.added(c, "X-Preflight-Verdict")[1] == "reject",
	    "no macros, tag: X-Preflight-Verdict: reject")
	pf.check(pf.has_prediction(c, "550 5.7.1 from-multiple; "),
	    "no macros, tag: X-Preflight-Prediction 550 5.7.1 from-multiple")
	mt.disconnect(c)

	-- no macros: hold.example is quarantined with the prediction
	c = pf.open{ macros = false }
	pf.send(c, "a@hold.example", { "bob@gmail.com" },
	    pf.message{ from = "a@hold.example", two_from = true },
	    "Hello.\r\n", nil, false)
	pf.check(mt.eom_check(c, MT_QUARANTINE, pf.hold_reason("from-multiple")),
	    "no macros, hold: quarantined \"" ..
	    pf.hold_reason("from-multiple") .. "\"")
	mt.disconnect(c)

	-- no macros: reject.example gets the predicted reply
	c = pf.open{ macros = false }
	pf.send(c, "a@reject.example", { "bob@gmail.com" },
	    pf.message{ from = "a@reject.example", two_from = true },
	    "Hello.\r\n", nil, false)
	pf.check(mt.getreply(c) == SMFIR_REPLYCODE,
	    "no macros, reject: a reply code")
	pf.check(mt.eom_check(c, MT_SMTPREPLY, "550", "5.7.1",
	    pf.reply_text("from-multiple")),
	    "no macros, reject: 550 5.7.1 with the from-multiple text and fix")
	mt.disconnect(c)

	-- a local submission: no address family, no macros, null sender
	c = pf.open{ macros = false, addr = "unspec" }
	pf.send(c, "", { "bob@gmail.com" },
	    pf.message{ from = "mailer-daemon@tag.example", two_from = true },
	    "Hello.\r\n", nil, false)
	pf.check(pf.has_prediction(c, "550 5.7.1 from-multiple; "),
	    "unknown address family, null sender: predicted and tagged")
	mt.disconnect(c)

	-- the same with the macros an MTA sends: the same prediction
	c = pf.open()
	pf.send(c, "a@tag.example", { "bob@gmail.com" },
	    pf.message{ from = "a@tag.example", two_from = true }, "Hello.\r\n")
	pf.check(pf.has_prediction(c, "550 5.7.1 from-multiple; "),
	    "with macros: the same prediction")
	mt.disconnect(c)
end)
