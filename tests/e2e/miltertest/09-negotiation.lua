-- SPDX-License-Identifier: BSD-2-Clause
-- 09-negotiation.lua - what the daemon asks the MTA for.  Over a unix
-- socket: no answers before end of message (SMFIP_NR_* for connect,
-- HELO, MAIL, RCPT, header, end of header and body) and no DATA or
-- unknown commands at all; the message (two From fields) is still
-- checked and tagged.
-- Over TCP: every packet answered (an unanswered one stalls on Nagle and
-- the delayed ACK), so no NR_* flag and no NODATA.
dofile(os.getenv("PF_MT_LIB"))

pf.run(function()
	local unix = string.sub(pf.sock, 1, 5) == "unix:"
	local c = pf.open()
	local nr = { SMFIP_NR_CONN, SMFIP_NR_HELO, SMFIP_NR_MAIL,
	    SMFIP_NR_RCPT, SMFIP_NR_HDR, SMFIP_NR_EOH, SMFIP_NR_BODY }
	for i, f in ipairs(nr) do
		pf.check(mt.test_option(c, f) == unix,
		    "no-reply flag " .. i .. (unix and " asked for" or
		    " not asked for"))
	end
	pf.check(mt.test_option(c, SMFIP_NODATA) == unix,
	    "DATA " .. (unix and "not wanted" or "answered"))
	pf.check(mt.test_option(c, SMFIP_HDR_LEADSPC),
	    "header values with their leading space")
	pf.envelope(c, "alice@tag.example", { "bob@gmail.com" })
	pf.headers(c, pf.message{ from = "alice@tag.example",
	    two_from = true })
	pf.body(c, "hello\r\n")
	pf.ok(mt.eom(c), "eom")
	pf.check(pf.has_prediction(c, "550 5.7.1"),
	    "the message is still checked and tagged: " .. pf.tags(c))
	mt.disconnect(c)
end)
