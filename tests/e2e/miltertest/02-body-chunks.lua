-- SPDX-License-Identifier: BSD-2-Clause
-- 02-body-chunks.lua - the body streamed in small chunks, as an MTA may
-- send it: a multipart message whose zip attachment holds setup.exe
-- (blocked-content, found only by decoding the base64 and listing the
-- archive) must be tagged exactly as when the body comes in one chunk,
-- with chunks of 1, 2, 3, 7, 64 and 1000 bytes that split the boundary,
-- the base64 lines and the CRLFs anywhere.  A clean zip in 1-byte chunks
-- gets no prediction.
dofile(os.getenv("PF_MT_LIB"))

local function b64lines(s)
	local t = {}
	for i = 1, #s, 76 do
		t[#t + 1] = s:sub(i, i + 75)
	end
	return table.concat(t, "\r\n")
end

-- zip archives made with Python's zipfile: setup.exe (62 bytes, "MZ"...)
-- and readme.txt ("Nothing to see here.")
local zip_exe = b64lines(
	"UEsDBBQAAAAAAO4rfV1JWc6RPgAAAD4AAAAJAAAAc2V0dXAuZXhlTVoA" ..
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" ..
	"AAAAAAAAAAAAAAAAAAAAAABQSwECFAMUAAAAAADuK31dSVnOkT4AAAA+" ..
	"AAAACQAAAAAAAAAAAAAAgAEAAAAAc2V0dXAuZXhlUEsFBgAAAAABAAEA" ..
	"NwAAAGUAAAAAAA==")
local zip_txt = b64lines(
	"UEsDBBQAAAAAAGUsfV3Lp+BgFQAAABUAAAAKAAAAcmVhZG1lLnR4dE5v" ..
	"dGhpbmcgdG8gc2VlIGhlcmUuClBLAQIUAxQAAAAAAGUsfV3Lp+BgFQAA" ..
	"ABUAAAAKAAAAAAAAAAAAAACAAQAAAAByZWFkbWUudHh0UEsFBgAAAAAB" ..
	"AAEAOAAAAD0AAAAAAA==")

local function body(zip, name)
	return "This is a multi-part message in MIME format.\r\n" ..
	    "--=_b0undary\r\n" ..
	    "Content-Type: text/plain; charset=us-ascii\r\n\r\n" ..
	    "The tools are attached.\r\n" ..
	    "--=_b0undary\r\n" ..
	    "Content-Type: application/zip; name=\"" .. name .. "\"\r\n" ..
	    "Content-Disposition: attachment; filename=\"" .. name .. "\"\r\n" ..
	    "Content-Transfer-Encoding: base64\r\n\r\n" ..
	    zip .. "\r\n" ..
	    "--=_b0undary--\r\n"
end

local ctype = "multipart/mixed; boundary=\"=_b0undary\""

local function tagged(text, chunk)
	local c = pf.open()
	pf.send(c, "a@tag.example", { "bob@gmail.com" },
	    pf.message{ from = "a@tag.example", msgid = "chunks",
	    subject = "tools", content_type = ctype }, text, chunk)
	local r = mt.getreply(c)
	local t = pf.tags(c)
	mt.disconnect(c)
	if r ~= SMFIR_CONTINUE and r ~= SMFIR_ACCEPT then
		error("chunk " .. tostring(chunk) .. ": the message did not go on", 0)
	end
	return t
end

pf.run(function()
	local msg = body(zip_exe, "tools.zip")
	local whole = tagged(msg, nil)
	pf.check(whole:find("552 5.7.0 blocked-content; ", 1, true) ~= nil,
	    "whole body: blocked-content predicted (" .. #msg .. " bytes)")
	for _, n in ipairs({ 1, 2, 3, 7, 64, 1000 }) do
		local t = tagged(msg, n)
		if t ~= whole then
			mt.echo("whole:   " .. whole)
			mt.echo(n .. "-byte: " .. t)
		end
		pf.check(t == whole, n .. "-byte chunks: tagged exactly as whole")
	end
	local clean = tagged(body(zip_txt, "readme.zip"), 1)
	pf.check(clean == "verdict= predictions=",
	    "clean zip in 1-byte chunks: no prediction (" .. clean .. ")")
end)
