#!/bin/sh
# tests/demo/demo.sh — the demo of `make demo`, `make demo-setup` and
# `make demo-stop` (also driven by tests/demo/run.sh):
#
#   demo.sh setup   a fresh demo workspace in $HMX_DEMO_DIR (default
#                   build/demo), a demo "RDC": one per-project HMIS CSV
#                   export (zip, made by hmxgen) for each RDC-direct project
#                   of the demo registry, served by a throwaway OpenSSH
#                   server on 127.0.0.1 (key login only, sftp only), and a
#                   site `rdc` pointing at it; leaves the server running
#   demo.sh run     setup, then the console on the workspace; the server is
#                   stopped when hmx exits (or is interrupted)
#   demo.sh stop    stops the server by its pid file (setup does it first too)
#
# Layout of the demo directory (only these names are ever removed):
#   ws/hmx.db       the workspace (`hmx demo --seed-only`)
#   rdc/            the RDC's folder: rdc-<ProjectID>-<period>.zip
#   home/.ssh/      the client key and a known_hosts holding the demo host key:
#                   hmx reads $HOME/.ssh/known_hosts, so every demo command
#                   runs with HOME=<dir>/home and the user's own ~/.ssh is
#                   never read or written
#   sshd/           the server's config, host key, authorized_keys, pid, log
#   in/             where the README's pull puts files
#   import/         the import cycle's files: demo-site.zip (the vendor's
#                   demo-site export, hmxgen with seeded defects) and sent/
#                   (the files sent for import: the same without the Event
#                   row the import repeated), both intaken
#   reviewers/      maria_ed25519 and sam_ed25519 (+ .pub), the demo
#                   reviewers' keys; their forced-command lines are in
#                   sshd/review_keys (`hmx reviewer add --authorized-keys`)
#   mcp/            the client match (mcp-match cycle of the import cycle's
#                   period): hmis-export.zip (hmxgen: the HMIS data the client
#                   list is built from) and roster.csv (the agencies'
#                   releases: most clients mcp-match, some expired, revoked
#                   or none)
#   mcp-sftp/       the demo MCP's folder on the same sshd (site `mcp`, role
#                   mcp): the member list it sent back (members-CYCLE.csv,
#                   tests/gen/members.sh, a name and a date wrong on purpose)
#   ws/match/CYCLE/ the client list hmx built and pushed (0600), where the
#                   match screen puts what it pulls and builds
#   hmx             a wrapper: HOME and HMX_DB set for the demo, then hmx
# The sshd listens on two ports: PORT (sftp only, the RDC) and PORT+1 (the
# review: only the reviewers' keys, each forced to `hmx review --as NAME`).
# One export (the last RDC-direct project's) carries a ProjectID the
# registry does not know, so `hmx map` shows a name-similarity proposal to
# confirm; the others match their project's HUD ProjectID.
# The import cycle is left in the review stage: findings of several checks
# in three projects of two agencies, a few decisions made (the table
# REVIEW_DECISIONS below), two reviewers (maria: HAC, sam: VNEOC), and
# notify-live refused by the gate. The mcp-match cycle is left with its
# list built (with the consent manifest), pushed to the demo MCP and the
# member list waiting there: pull it (g), import it (i), review the
# findings, mark review-match done, build the import files (b), purge (x)
# in the match screen (M on the cycle). hmxgen is a test tool (not installed),
# so this part lives here and not in `hmx demo`, which only seeds the
# registry and the cycles.
# Needs HMX and HMXGEN (built programs); ASSETS defaults to assets/.
set -eu
: "${HMX:?set HMX to the hmx binary}"
abspath() { (cd "$(dirname "$1")" && echo "$(pwd)/$(basename "$1")"); }
DIR=${HMX_DEMO_DIR:-build/demo}
if [ "${1:-}" = stop ] && [ ! -d "$DIR" ]; then exit 0; fi
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
HMX=$(abspath "$HMX")
PIDFILE="$DIR/sshd/pid"
SSHD=/usr/sbin/sshd

say() { echo "demo: $*"; }

# is_demo_sshd PID: the pid is alive and is an sshd
is_demo_sshd() {
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null &&
		[ "$(ps -o comm= -p "$1" 2>/dev/null)" = sshd ]
}

stop() {
	[ -f "$PIDFILE" ] || return 0
	pid=$(cat "$PIDFILE" 2>/dev/null || true)
	if is_demo_sshd "$pid"; then
		kill "$pid" 2>/dev/null || true
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		if kill -0 "$pid" 2>/dev/null; then
			kill -9 "$pid" 2>/dev/null || true
		fi
		say "stopped the demo sshd (pid $pid)"
	fi
	rm -f "$PIDFILE"
}

# start_sshd: on a free high port (tries a few); sets PORT
start_sshd() {
	[ "$(id -u)" = 0 ] && mkdir -p /run/sshd
	try=0
	PORT=$((30000 + $$ % 9998))
	while [ $try -lt 8 ]; do
		RPORT=$((PORT + 1))
		cat >"$DIR/sshd/sshd_config" <<CONF
Port $PORT
Port $RPORT
ListenAddress 127.0.0.1
HostKey $DIR/sshd/host
AuthorizedKeysFile $DIR/sshd/authorized_keys
PidFile $PIDFILE
AllowUsers $USER_NAME
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowTcpForwarding no
X11Forwarding no
LogLevel VERBOSE
Subsystem sftp internal-sftp
$([ "$(id -u)" = 0 ] && echo "PermitRootLogin prohibit-password")
# the RDC: the demo client key, sftp only
Match LocalPort $PORT
	ForceCommand internal-sftp
# the review: only the reviewers' keys, whose lines force hmx review --as NAME
Match LocalPort $RPORT
	AuthorizedKeysFile $DIR/sshd/review_keys
CONF
		: >"$DIR/sshd/log"
		"$SSHD" -f "$DIR/sshd/sshd_config" -E "$DIR/sshd/log" || true
		i=0
		while [ ! -s "$PIDFILE" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		[ -s "$PIDFILE" ] && return 0
		try=$((try + 1))
		PORT=$((30000 + ($$ + try * 997) % 9998))
	done
	say "cannot start sshd:"
	cat "$DIR/sshd/log" >&2
	exit 1
}

# json_field NAME: the values of "NAME":"..." of each object on stdin, one a line
json_objs() { sed 's/},{/}\n{/g'; }
json_field() { sed -n 's/.*"'"$1"'":"\([^"]*\)".*/\1/p'; }

# The import cycle's review. Admin decisions are made as "dana" (the HMIS
# Sys Admin of the demo), reviewers' as themselves.
# ProjectIDs of the generated exports (hmxgen numbers them 1..10) and the
# registered projects they are mapped to; the seeded defects land in 4
# (Q22), 8 (K01, Q01, Q02, Q05, Q19, Q21) and 9 (K08).
REVIEW_MAP='1:cihc-family-es 2:cacci-safe-harbor 3:cihc-casa 4:hac-scattered 5:ihs-outreach
6:vneoc-ssvf-rrh 7:hpc-case-mgmt 8:vneoc-ssvf-hp 9:hac-carriage-house 10:ihs-mv-rrh'
REVIEW_DEFECTS=K01:1,Q01:1,Q02:1,K08:1,Q05:1,Q19:1,Q21:1,Q22:1
# who|action|check|text: each decision, on the item of that check
REVIEW_DECISIONS='dana|assign|K01|sam
dana|propose|K01|vendor removes the repeated Event row
sam|approve|K01|agreed: one event
dana|propose|Q01|vendor merges the duplicate enrollment
sam|reject|Q01|keep both: two stays the same day; we fix the entry date in HMIS
dana|assign|K08|maria
dana|propose|K08|enroll the child in the same project as the parent
maria|comment|K08|checking with the case manager
dana|waive|Q22|move-in date confirmed by the landlord letter'

# review_map FILE [OPTION]: the ProjectIDs of that file of the cycle
# (SHA-256 or a prefix) mapped as REVIEW_MAP says
review_map() {
	for m in $REVIEW_MAP; do
		# shellcheck disable=SC2086
		HMX_USER=dana "$H" map "$IMP" "$1" "${m%%:*}" "${m#*:}" ${2:-} >/dev/null
	done
}

review_setup() {
	imp=$("$H" cycle list --format json | json_objs | grep '"kind":"import"' | head -1)
	IMP=$(echo "$imp" | json_field code)
	[ -n "$IMP" ] || { say "the demo seed has no import cycle"; exit 1; }
	IS=$(echo "$imp" | json_field start)
	IE=$(echo "$imp" | json_field end)
	# the vendor's demo-site export; the files sent for import are the same
	# data (their data-quality problems included) without the Event row
	# the vendor's import repeated (K01)
	"$HMXGEN" --out "$DIR/import/gen" --force --quiet --assets "$ASSETS" --spec FY2024 \
		--clients 60 --projects 10 --start "$IS" --end "$IE" --defects "$REVIEW_DEFECTS" \
		--count 1 --instances "$DIR/import/instances.csv" --zip "$DIR/import/demo-site.zip"
	mkdir "$DIR/import/sent"
	cp "$DIR/import/gen"/*.csv "$DIR/import/sent/"
	del=$(awk -F, '$1 == "K01" && $2 == "Event.csv" { printf "%s%sd", sep, $3; sep = ";" }' \
		"$DIR/import/instances.csv")
	sed -i "$del" "$DIR/import/sent/Event.csv"
	rm -rf "$DIR/import/gen" "$DIR/import/instances.csv"
	sent=$(HMX_USER=dana "$H" intake "$IMP" "$DIR/import/sent" --source rdc |
		sed -n 's/^intake \([0-9a-f]*\) into .*/\1/p') || true
	[ -n "$sent" ] || { say "cannot take in the files sent for import"; exit 1; }
	review_map "$sent"
	# exit 1: the export has blocking findings, as it should
	demo=$(HMX_USER=dana "$H" intake "$IMP" "$DIR/import/demo-site.zip" --source demo |
		sed -n 's/^intake \([0-9a-f]*\) into .*/\1/p') || true
	[ -n "$demo" ] || { say "cannot take in the demo-site export"; exit 1; }
	# the same projects again, as the vendor's export of them (for hmx reconcile)
	review_map "$demo" --allow-duplicate
	"$H" findings "$IMP" >"$DIR/import/findings.txt"
	grep -q ' open ' "$DIR/import/findings.txt" ||
		{ say "the demo-site export opened no review"; exit 1; }

	# the reviewers: keys in reviewers/, lines in the review port's file
	for r in maria:HAC sam:VNEOC; do
		rv=${r%%:*}
		ssh-keygen -q -t ed25519 -N '' -f "$DIR/reviewers/${rv}_ed25519" -C "$rv@hmx-demo"
		HMX_USER=dana "$H" reviewer add "$rv" --key "$DIR/reviewers/${rv}_ed25519.pub" \
			--agency "${r#*:}" --authorized-keys "$DIR/sshd/review_keys" >/dev/null
	done

	# the decisions already made
	echo "$REVIEW_DECISIONS" | while IFS='|' read -r who act chk text; do
		id=$(awk -v c="$chk" '$3 == c { print $1; exit }' "$DIR/import/findings.txt")
		[ -n "$id" ] || { say "no finding of $chk in the demo-site export"; exit 1; }
		if [ "$act" = assign ]; then
			HMX_USER=dana "$H" finding assign "$id" --to "$text" >/dev/null
		elif [ "$who" = dana ]; then
			HMX_USER=dana "$H" finding "$act" "$id" --text "$text" >/dev/null
		else
			HMX_USER=dana "$H" finding "$act" "$id" --as "$who" --text "$text" >/dev/null
		fi
	done
	HMX_USER=dana "$H" step set "$IMP" validate-demo done \
		--note "demo-site export validated; findings in review" >/dev/null
	HMX_USER=dana "$H" step set "$IMP" resolve-dq done \
		--note "findings sent to the partners for review in hmx" >/dev/null
	rm -f "$DIR/import/findings.txt"
}


# The client match with the demo MCP (issue 9): an mcp-match cycle of the
# import cycle's period (IS..IE, set by review_setup), the releases, the
# MCP project, the site on the demo sshd; the list built and pushed as the
# admin would, and the MCP's answer waiting in its folder.
mcp_setup() {
	P=$(echo "$imp" | json_field period)
	MC="mcp-match-$P"
	M="$DIR/mcp"
	MS="$DIR/mcp-sftp"
	W="$DIR/ws/match/$MC"
	mkdir -p "$M" "$DIR/ws/match"
	mkdir -m 700 -p "$MS"
	mkdir -m 700 -p "$W"
	"$HMXGEN" --out "$M/gen" --force --quiet --assets "$ASSETS" --spec FY2024 --clients 80 \
		--projects 10 --seed 9 --start "$IS" --end "$IE" --zip "$M/hmis-export.zip"
	# the releases: IDs of the export; every 10th client none, some expired,
	# some revoked, a few with a release of another scope only
	awk -F, 'NR == 1 { print "PersonalID,scope,start,end,revoked"; next }
	{
		gsub(/"/, "", $1)
		k = (NR - 1) % 10
		if (k == 3) next
		if (k == 5) { print $1 ",mcp-match,2024-01-01,2025-06-30,"; next }
		if (k == 7) { print $1 ",mcp-match,2025-01-01,,2026-01-15"; next }
		if (k == 9) { print $1 ",rdc-upload,2025-01-01,,"; next }
		print $1 ",mcp-match,2025-01-01,,"
	}' "$M/gen/Client.csv" >"$M/roster.csv"
	rm -rf "$M/gen"
	HMX_USER=dana "$H" consent import "$M/roster.csv" >/dev/null
	HMX_USER=dana "$H" project agency-add DHP "Demo Health Plan" >/dev/null
	HMX_USER=dana "$H" project add mcp-members --name "Demo Health Plan members" --agency DHP \
		--source hmis --hud-id 9900 >/dev/null
	HMX_USER=dana "$H" config set match.project mcp-members >/dev/null
	HMX_USER=dana "$H" config set match.project_start "$IS" >/dev/null
	HMX_USER=dana "$H" cycle new mcp-match "$P" >/dev/null
	HMX_USER=dana "$H" site add mcp --host 127.0.0.1 --port "$PORT" --user "$USER_NAME" \
		--identity "$DIR/home/.ssh/id_ed25519" --remote-dir "$MS" --role mcp >/dev/null
	# what the agreement with the demo MCP allows (minimum necessary)
	HMX_USER=dana "$H" match fields mcp first_name,last_name,dob,gender >/dev/null
	HMX_USER=dana "$H" step set "$MC" confirm-releases done \
		--note "agreement with Demo Health Plan; roster of the agencies' releases" >/dev/null
	HMX_USER=dana "$H" match list "$MC" --from "$M/hmis-export.zip" --site mcp \
		-o "$W/clients-$MC.csv" >/dev/null
	HMX_USER=dana "$H" push mcp "$W/clients-$MC.csv" >/dev/null </dev/null
	HMX_USER=dana "$H" step set "$MC" send-list done --note "pushed to the demo MCP" >/dev/null
	# the MCP's answer: its members among the clients sent, with a first
	# name misspelled (M03) and an effective date that is no date (M07)
	sh "$GEN_MEMBERS" "$MS/clients-$MC.csv" "$MS/members.tmp" "$IS" "$IE"
	(umask 077 && awk -F, -v OFS=, 'NR == 3 { $2 = $2 "e" } NR == 6 { $11 = "2026-02-30" } 1' \
		"$MS/members.tmp" >"$MS/members-$MC.csv")
	rm -f "$MS/members.tmp" "$MS/clients-$MC.csv" # non-member data destroyed
}

setup() {
	: "${HMXGEN:?set HMXGEN to the hmxgen binary}"
	HMXGEN=$(abspath "$HMXGEN")
	ASSETS=$(cd "${ASSETS:-$(dirname "$0")/../../assets}" && pwd)
	GEN_MEMBERS="$(cd "$(dirname "$0")/../gen" && pwd)/members.sh"
	if [ ! -x "$SSHD" ] || ! command -v ssh-keygen >/dev/null; then
		say "openssh-server/openssh-client missing (make deps)"
		exit 1
	fi
	USER_NAME=$(id -un)
	stop
	rm -rf "$DIR/ws" "$DIR/rdc" "$DIR/home" "$DIR/sshd" "$DIR/in" "$DIR/gen" "$DIR/hmx" \
		"$DIR/import" "$DIR/reviewers" "$DIR/mcp" "$DIR/mcp-sftp"
	mkdir -p "$DIR/ws" "$DIR/rdc" "$DIR/home/.ssh" "$DIR/sshd" "$DIR/in" "$DIR/import" \
		"$DIR/reviewers"
	chmod 700 "$DIR/home/.ssh" "$DIR/reviewers"
	cat >"$DIR/hmx" <<WRAP
#!/bin/sh
# the demo's hmx: its own workspace and HOME (known_hosts, client key)
HOME='$DIR/home' HMX_DB='$DIR/ws/hmx.db' exec '$HMX' "\$@"
WRAP
	chmod 755 "$DIR/hmx"
	H="$DIR/hmx"
	"$H" demo --seed-only >/dev/null

	# the cycle the RDC's files belong to, and its period
	cyc=$("$H" cycle list --format json | json_objs | grep '"kind":"rdc-download"' | head -1)
	CYCLE=$(echo "$cyc" | json_field code)
	PSTART=$(echo "$cyc" | json_field start)
	PEND=$(echo "$cyc" | json_field end)
	PERIOD=$(echo "$cyc" | json_field period)
	[ -n "$CYCLE" ] || { say "the demo seed has no rdc-download cycle"; exit 1; }

	# one export per RDC-direct project, as the RDC hands them out
	"$H" project list --source rdc-direct --format json | json_objs | grep '"code"' >"$DIR/projects"
	n=$(grep -c . "$DIR/projects" || true)
	[ "$n" -gt 0 ] || { say "the demo seed has no RDC-direct project"; exit 1; }
	k=0
	while IFS= read -r line; do
		k=$((k + 1))
		name=$(echo "$line" | json_field name)
		id=$(echo "$line" | json_field hud_project_id)
		# the last one under the RDC's own ID: mapped by name, confirmed by the admin
		[ "$k" -eq "$n" ] || [ -z "$id" ] && id=$((9000 + k))
		case $name in
		*Prevention*) type=12 ;;
		*"Rapid Re"*) type=13 ;;
		*Scattered*) type=3 ;;
		*) type=1 ;;
		esac
		"$HMXGEN" --out "$DIR/gen" --force --quiet --assets "$ASSETS" --spec FY2024 \
			--project-id "$id" --project-name "$name" --project-type "$type" \
			--clients $((30 + 7 * k)) --seed "$k" --start "$PSTART" --end "$PEND" \
			--zip "$DIR/rdc/rdc-$id-$PERIOD.zip"
	done <"$DIR/projects"
	rm -rf "$DIR/gen" "$DIR/projects"

	review_setup

	# keys, the server, the host key already trusted in the demo's known_hosts
	ssh-keygen -q -t ed25519 -N '' -f "$DIR/sshd/host" -C hmx-demo-host
	ssh-keygen -q -t ed25519 -N '' -f "$DIR/home/.ssh/id_ed25519" -C hmx-demo
	cp "$DIR/home/.ssh/id_ed25519.pub" "$DIR/sshd/authorized_keys"
	start_sshd
	for p in "$PORT" "$RPORT"; do
		echo "[127.0.0.1]:$p $(cut -d' ' -f1,2 "$DIR/sshd/host.pub")"
	done >"$DIR/home/.ssh/known_hosts"
	"$H" site add rdc --host 127.0.0.1 --port "$PORT" --user "$USER_NAME" \
		--identity "$DIR/home/.ssh/id_ed25519" --remote-dir "$DIR/rdc" --role rdc >/dev/null
	if ! "$H" site test rdc </dev/null >"$DIR/sshd/test.out" 2>&1; then
		cat "$DIR/sshd/test.out" >&2
		stop
		exit 1
	fi
	mcp_setup
	first=$(ls "$DIR/rdc" | head -1)
	say "workspace $DIR/ws/hmx.db; RDC folder $DIR/rdc ($n exports for $CYCLE)"
	say "demo sshd on 127.0.0.1:$PORT (pid $(cat "$PIDFILE")), site rdc"
	cat <<EOF
demo: try (the wrapper sets HOME=$DIR/home and HMX_DB for the demo):
  $DIR/hmx ls rdc
  $DIR/hmx pull rdc $first --to $DIR/in
  $DIR/hmx intake $CYCLE $DIR/in/$first --source rdc
  $DIR/hmx map $CYCLE
demo: the demo-site review of $IMP (findings of HAC for maria, of VNEOC for sam):
  $DIR/hmx findings $IMP --counts
  $DIR/hmx step set $IMP notify-live done      # refused by the gate, with the count
demo: the client match $MC with the demo MCP (list sent; its member list waits in $MS):
  $DIR/hmx --screen match --cycle $MC     # g pull, i import, / search, b build, x purge
  $DIR/hmx match show $MC
demo: review over SSH as maria (or sam), as a partner would:
  ssh -p $RPORT -i $DIR/reviewers/maria_ed25519 -o IdentitiesOnly=yes -o UserKnownHostsFile=$DIR/home/.ssh/known_hosts $USER_NAME@127.0.0.1
EOF
}

case ${1:-} in
setup)
	trap 'rc=$?; [ $rc -eq 0 ] || stop; exit $rc' EXIT
	setup
	echo "demo: the sshd keeps running; stop it with: make demo-stop"
	;;
run)
	trap stop EXIT
	trap 'exit 1' INT TERM HUP
	setup
	echo "demo: opening hmx on the workspace; the demo sshd stops when you quit"
	rc=0
	"$DIR/hmx" || rc=$?
	echo "demo: workspace left in $DIR (the next make demo or make demo-setup starts afresh)"
	exit $rc
	;;
stop) stop ;;
*)
	echo "usage: demo.sh setup|run|stop" >&2
	exit 2
	;;
esac
