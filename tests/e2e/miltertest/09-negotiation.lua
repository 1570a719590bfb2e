-- SPDX-License-Identifier: BSD-2-Clause
-- 09-negotiation.lua - what the daemon asks the MTA for: no answers
-- before end of message (SMFIP_NR_* for connect, HELO, MAIL, RCPT,
-- header, end of header and body) on both socket types, and no unknown
-- commands.  Over a unix socket no DATA command either.  Over TCP the
-- daemon takes DATA unanswered (SMFIP_NR_DATA) instead: it acknowledges
-- every packet it leaves unanswered at once (TCP_QUICKACK), and DATA's
-- macros come even when the command is not wanted.  The message (two
-- From fields) is still checked and tagged.  With DNS on (PF_MT_DNS),
-- MAIL and RCPT stay answered, so that the MTA sends them at once and
-- the lookups they start get their head start; the rest is the same.
dofile(os.getenv("PF_MT_LIB"))

pf.run(function()
	local unix = string.sub(pf.sock, 1, 5) == "unix:"
	local dns = os.getenv("PF_MT_DNS") ~= nil
	local c = pf.open()
	local nr = { SMFIP_NR_CONN, SMFIP_NR_HELO, SMFIP_NR_HDR,
	    SMFIP_NR_EOH, SMFIP_NR_BODY }
	for i, f in ipairs(nr) do
		pf.check(mt.test_option(c, f), "no-reply flag " .. i ..
		    " asked for")
	end
	pf.check(mt.test_option(c, SMFIP_NR_MAIL) == not dns, "MAIL " ..
	    (dns and "answered (DNS on)" or "not answered"))
	pf.check(mt.test_option(c, SMFIP_NR_RCPT) == not dns, "RCPT " ..
	    (dns and "answered (DNS on)" or "not answered"))
	pf.check(mt.test_option(c, SMFIP_NOUNKNOWN), "no unknown commands")
	pf.check(mt.test_option(c, SMFIP_NODATA) == unix,
	    "DATA " .. (unix and "not wanted" or "wanted"))
	pf.check(mt.test_option(c, SMFIP_NR_DATA) == not unix,
	    "DATA " .. (unix and "not sent" or "not answered"))
	pf.check(mt.test_option(c, SMFIP_HDR_LEADSPC),
	    "header values with their leading space")
	if dns then
		-- nothing answers at PF_MT_DNS: the message itself is for the
		-- runs without DNS
		mt.disconnect(c)
		return
	end
	pf.envelope(c, "alice@tag.example", { "bob@gmail.com" })
	pf.headers(c, pf.message{ from = "alice@tag.example",
	    two_from = true })
	pf.body(c, "hello\r\n")
	pf.ok(mt.eom(c), "eom")
	pf.check(pf.has_prediction(c, "550 5.7.1"),
	    "the message is still checked and tagged: " .. pf.tags(c))
	mt.disconnect(c)
end)
