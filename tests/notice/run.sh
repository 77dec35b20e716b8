#!/bin/sh
# tests/notice/run.sh — `hmx notice` and `hmx notices` on the demo
# workspace: each notice of seed 000 drafted from its cycle, --to checked,
# --edit through $EDITOR (a sed script) kept as a draft, --sent with a date
# recorded once and audited, a sent notice refused further change, JSON
# output, the list of a cycle's notices, and `hmx audit` filtered by
# person, kind, project and days. No mail is sent.
. "$(dirname "$0")/../lib.sh"
DB="$T/ws/hmx.db"
H() { "$HMX" --db "$DB" "$@"; }
q() { sqlite3 "$DB" "$1"; }
I=import-2027B2

expect_rc 0 "demo workspace" H demo --seed-only

# --- drafts
expect_rc 0 "vendor ready" H notice $I vendor-ready
expect_grep "^To: the HMIS vendor" "$T/out" "vendor recipient"
expect_grep "^Subject: 2027B2 csv files ready for import" "$T/out" "vendor subject"
expect_grep "2026-09-01 to 2026-10-31" "$T/out" "period dates"
expect_rc 0 "vendor live" H notice $I vendor-live
expect_grep "may now be imported to the HMIS live site" "$T/out" "live text"
expect_rc 0 "upload done" H notice rdc-upload-2027Q1 rdc-upload-done
expect_grep "^To: the RDC Sys Admin" "$T/out" "rdc recipient"
if grep -q "hac-carriage-house" "$T/out"; then bad "rdc-direct project in the upload notice"; else ok; fi
expect_rc 0 "agency request" H notice agency-intake-2027B2 agency-request --to HPC
expect_grep "^To: Homeless Prevention Council (HPC)" "$T/out" "agency recipient"
expect_grep "by 2026-11-07" "$T/out" "step deadline"
expect_grep "HPC DYRS (hpc-dyrs)" "$T/out" "agency projects"
expect_rc 0 "partner findings" H notice $I partner-findings --to HPC
expect_grep "data-quality findings for your projects" "$T/out" "partner subject"
expect_rc 2 "partner without --to" H notice $I partner-findings
expect_one_line_err "partner without --to"
expect_grep "\-\-to AGENCY" "$T/err" "names --to"
expect_rc 2 "unknown agency" H notice $I partner-findings --to NOPE
expect_rc 2 "--to not wanted" H notice $I vendor-ready --to HPC
expect_rc 2 "kind of another cycle kind" H notice $I rdc-upload-done
expect_grep "its notices: partner-findings, vendor-live, vendor-ready" "$T/err" "lists the cycle's notices"
expect_rc 2 "unknown cycle" H notice nope-2027B2 vendor-ready
expect_rc 2 "--date without --sent" H notice $I vendor-ready --date 2026-11-20
expect_rc 2 "bad date" H notice $I vendor-ready --sent --date 2026-13-01
expect_eq "$(q "SELECT count(*) FROM notice")" 0 "drafts are not kept"

# --- edit through the editor
EDITOR="sed -i s/^Hello,/Dear\ WellSky\ team,/" expect_rc 0 "edit" H notice $I vendor-ready --edit
expect_grep "kept as an edited draft" "$T/out" "edit message"
expect_rc 0 "edited draft shown" H notice $I vendor-ready
expect_grep "^Dear WellSky team," "$T/out" "edited text kept"
EDITOR=false expect_rc 3 "editor fails" H notice $I vendor-ready --edit
expect_grep "nothing kept" "$T/err" "failed editor message"
EDITOR="sed -i d" expect_rc 2 "emptied text" H notice $I vendor-ready --edit
expect_rc 0 "still the edited draft" H notice $I vendor-ready
expect_grep "^Dear WellSky team," "$T/out" "edited text unchanged"

# --- sent
expect_rc 0 "sent" H notice $I vendor-ready --sent --date 2026-11-20
expect_grep "recorded as sent on 2026-11-20" "$T/out" "sent message"
expect_grep "no mail" "$T/out" "says no mail is sent"
expect_rc 1 "sent twice" H notice $I vendor-ready --sent
expect_grep "already sent on 2026-11-20" "$T/err" "sent twice message"
EDITOR="sed -i s/Dear/Hi/" expect_rc 1 "edit after sent" H notice $I vendor-ready --edit
expect_rc 0 "sent text kept" H notice $I vendor-ready
expect_grep "^Dear WellSky team," "$T/out" "sent text unchanged"
expect_rc 0 "partner sent today" H notice $I partner-findings --to HPC --sent
expect_grep "sent on 2026-11-27" "$T/out" "today by default"
expect_eq "$(q "SELECT count(*) FROM audit WHERE action = 'notice.sent'")" 2 "sent audited"
expect_eq "$(q "SELECT count(*) FROM audit WHERE action = 'notice.edit' AND who = 'admin'")" 1 "edit audited"
expect_rc 0 "audit by cycle" H audit --cycle $I
expect_grep "notice.sent.*$I/notice/vendor-ready" "$T/out" "notice in the cycle's audit"

# --- hmx audit filters
HMX_USER=carol expect_rc 0 "upload notice edited by carol" env EDITOR="sed -i s/Hello/Hi/" "$HMX" --db "$DB" notice rdc-upload-2027Q1 rdc-upload-done --edit
expect_rc 0 "audit --who" H audit --who carol
expect_eq "$(wc -l <"$T/out" | tr -d ' ')" 1 "one change by carol"
expect_grep "notice.edit.*rdc-upload-2027Q1/notice/rdc-upload-done" "$T/out" "carol's edit"
expect_rc 0 "audit --action notice --project HPC" H audit --action notice --project HPC
expect_eq "$(wc -l <"$T/out" | tr -d ' ')" 1 "one notice change naming HPC"
expect_rc 0 "audit --from" H audit --from 2026-11-28
expect_eq "$(wc -l <"$T/out" | tr -d ' ')" 0 "nothing after today"
expect_rc 2 "audit bad --to" H audit --to 27/11/2026

# --- list and JSON
expect_rc 0 "notices" H notices $I
expect_grep "^vendor-ready  *-  *sent  *2026-11-20" "$T/out" "sent listed"
expect_grep "^vendor-live  *-  *new" "$T/out" "new listed"
expect_grep "^partner-findings  *HPC  *sent" "$T/out" "partner listed"
expect_rc 0 "notices json" H notices $I --format json
expect_grep '"kind":"vendor-ready","to":"","title":"[^"]*","state":"sent","sent_on":"2026-11-20"' "$T/out" "json row"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out" && ok || bad "notices json parses"
expect_rc 0 "notice json" H notice $I vendor-live --format json
expect_grep '"state":"new","sent_on":null' "$T/out" "json new notice"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["text"].startswith("To: ")' "$T/out" && ok || bad "notice json text"
expect_rc 2 "notices unknown cycle" H notices nope-2027B2

finish notice
