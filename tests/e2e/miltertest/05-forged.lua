-- SPDX-License-Identifier: BSD-2-Clause
-- 05-forged.lua - X-Preflight-* fields that arrive with the submission are
-- removed (any case, any number, any X-Preflight-* name), on a clean
-- message and on a tagged one; only the daemon's own fields are added.
dofile(os.getenv("PF_MT_LIB"))

local forged = {
	{ "X-Preflight-Verdict", "accept" },
	{ "x-preflight-prediction", "250 2.0.0 forged; trust me" },
	{ "X-PREFLIGHT-PREDICTION", "250 2.0.0 forged again; trust me" },
	{ "X-Preflight-Verdict", "accept" },
	{ "X-Preflight-Anything", "yes" },
}

-- deleted - every forged field name was deleted (smfi_chgheader with no
-- value); MTAs match the name without regard to case, so the deletion of
-- either spelling of X-Preflight-Prediction covers both
local function deleted(c)
	for _, names in ipairs({ { "X-Preflight-Verdict" },
	    { "x-preflight-prediction", "X-PREFLIGHT-PREDICTION" },
	    { "X-Preflight-Anything" } }) do
		local any = false
		for _, f in ipairs(names) do
			any = any or mt.eom_check(c, MT_HDRDELETE, f)
		end
		if not any then
			return false, names[1]
		end
	end
	return true
end

pf.run(function()
	-- a clean message: the forged fields go, nothing is added
	local c = pf.open()
	pf.send(c, "a@tag.example", { "bob@gmail.com" },
	    pf.message{ from = "a@tag.example", extra = forged }, "Hi.\r\n")
	local ok, name = deleted(c)
	pf.check(ok, "clean: forged fields deleted" ..
	    (name and (" (not " .. name .. ")") or ""))
	pf.check(not mt.eom_check(c, MT_HDRADD, "X-Preflight-Verdict") and
	    not mt.eom_check(c, MT_HDRADD, "X-Preflight-Prediction"),
	    "clean: no X-Preflight field added")
	mt.disconnect(c)

	-- a tagged message: forged fields go, the real verdict is added
	c = pf.open()
	pf.send(c, "a@tag.example", { "bob@gmail.com" },
	    pf.message{ from = "a@tag.example", two_from = true,
	    extra = forged }, "Hi.\r\n")
	ok, name = deleted(c)
	pf.check(ok, "tagged: forged fields deleted" ..
	    (name and (" (not " .. name .. ")") or ""))
	local v = pf.added(c, "X-Preflight-Verdict")
	local p = pf.added(c, "X-Preflight-Prediction")
	pf.check(#v == 1 and v[1] == "reject", "tagged: one verdict, reject")
	pf.check(#p == 1 and p[1]:match("^550 5%.7%.1 from%-multiple; "),
	    "tagged: one prediction, ours: " .. tostring(p[1]))
	mt.disconnect(c)

	-- a forged field that is not first: the next message on the same
	-- connection without forgeries gets no deletions
	c = pf.open()
	pf.send(c, "a@tag.example", { "bob@gmail.com" },
	    pf.message{ from = "a@tag.example", extra = forged }, "Hi.\r\n")
	pf.send(c, "a@tag.example", { "bob@gmail.com" },
	    pf.message{ from = "a@tag.example" }, "Hi.\r\n")
	pf.check(not mt.eom_check(c, MT_HDRDELETE) and
	    not mt.eom_check(c, MT_HDRCHANGE),
	    "next message on the connection: nothing deleted")
	mt.disconnect(c)
end)
