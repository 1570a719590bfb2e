-- SPDX-License-Identifier: BSD-2-Clause
-- 04-huge-header.lua - header limits through the milter protocol: a
-- Subject over 998 bytes (subject-too-long), 5001 header fields and a
-- 600 KB header block (header-too-large).  Each message is sent to
-- tag.example (the prediction must be tagged, with the rule's text and
-- its placeholders filled) and to reject.example (the reply must be that
-- prediction's code, status and text).  miltertest cannot send one field
-- over 1 KB; the 60 KB Subject is sent by bigheader.py.
dofile(os.getenv("PF_MT_LIB"))

-- run - send the header list from dom; return the connection after eom
local function run(dom, list)
	local c = pf.open()
	pf.send(c, "a@" .. dom, { "bob@gmail.com" }, list, "Body.\r\n")
	return c
end

-- with - pf.message plus extra fields
local function with(dom, o, extra)
	o.from = "a@" .. dom
	o.extra = extra
	return pf.message(o)
end

-- pattern - a rule text with {placeholders} as a Lua pattern
local function pattern(text)
	local p = text:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0")
	p = p:gsub("{[%w%%%-]+}", "[^ ]+")
	return "^" .. p .. "$"
end

-- case - tagged with rule id (text matching the rule's template), and
-- refused at reject.example with the same text
local function case(what, id, o, extra)
	local r = pf.rule(id)
	local c = run("tag.example", with("tag.example", o, extra))
	local got
	for _, p in ipairs(pf.added(c, "X-Preflight-Prediction")) do
		-- the rule's confidence as the catalog gives it (default high)
		local pre = r.reply .. " " .. r.status .. " " .. id ..
		    "; confidence=" .. (r.confidence or "high") .. "; "
		if p:sub(1, #pre) == pre then
			got = p:sub(#pre + 1)
		end
	end
	mt.disconnect(c)
	pf.check(got ~= nil, what .. ": tagged " .. r.reply .. " " ..
	    r.status .. " " .. id)
	pf.check(got:match(pattern(r.text:gsub("%s+", " "))) ~= nil,
	    what .. ": text \"" .. got .. "\"")
	c = run("reject.example", with("reject.example", o, extra))
	local want = pf.reply_text(id, got)
	local ok = mt.getreply(c) == SMFIR_REPLYCODE and
	    mt.eom_check(c, MT_SMTPREPLY, r.reply, r.status, want)
	mt.disconnect(c)
	pf.check(ok, what .. ": refused " .. r.reply .. " " .. r.status ..
	    " with that text")
end

pf.run(function()
	-- 1000 bytes is as long as miltertest can send one field
	case("1000-byte Subject", "subject-too-long",
	    { subject = string.rep("s", 1000) }, {})

	local many = {}
	for i = 1, 5001 do
		many[#many + 1] = { "X-Filler", "field " .. i }
	end
	case("5001 header fields", "header-too-large", {}, many)

	local big = {}
	for i = 1, 600 do
		big[#big + 1] = { "X-Filler-" .. i, string.rep("b", 990) }
	end
	case("600 KB header block", "header-too-large", {}, big)
end)
