#!/usr/bin/env bash
# The systemd units in contrib/systemd: the directives the product relies on
# are present, `systemd-analyze verify` has nothing to say about them, and
# `systemd-analyze security --offline=yes` scores homectl.service below 3.0.
set -uo pipefail
homectl=$1 src=$2
units=$src/contrib/systemd
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# Directive lines each unit must hold, exactly as written.
require() {
  local unit=$1
  shift
  for line in "$@"; do
    grep -qxF -- "$line" "$units/$unit" || fail "$unit lacks the line '$line'"
  done
}
require homectl.service \
  'Type=notify' 'ExecStart=/usr/local/bin/homectl serve' 'ExecReload=/bin/kill -HUP $MAINPID' \
  'Restart=on-failure' 'RestartPreventExitStatus=78' 'DynamicUser=yes' \
  'EnvironmentFile=-/etc/homectl/homectl.env' 'ProtectSystem=strict' 'ProtectHome=yes' \
  'PrivateTmp=yes' 'PrivateDevices=yes' 'NoNewPrivileges=yes' \
  'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' 'SystemCallFilter=@system-service' \
  'CapabilityBoundingSet=' 'WantedBy=multi-user.target'
grep -qE '^WatchdogSec=[1-9]' "$units/homectl.service" || fail "homectl.service lacks WatchdogSec="
grep -qE '^MemoryMax=[1-9]' "$units/homectl.service" || fail "homectl.service lacks MemoryMax="
require homectl-watchdog.service \
  'Type=oneshot' 'ExecStart=/usr/local/bin/homectl watchdog --once' 'DynamicUser=yes' \
  'RuntimeDirectory=homectl' 'RuntimeDirectoryPreserve=yes' \
  'EnvironmentFile=-/etc/homectl/homectl.env'
require homectl-watchdog.timer 'Persistent=true' 'WantedBy=timers.target'
grep -qE '^OnUnitActiveSec=[1-9]' "$units/homectl-watchdog.timer" || fail "timer lacks OnUnitActiveSec="
grep -qE '^RandomizedDelaySec=[1-9]' "$units/homectl-watchdog.timer" ||
  fail "timer lacks RandomizedDelaySec="
grep -qE '^(OnActiveSec|OnBootSec)=[1-9]' "$units/homectl-watchdog.timer" ||
  fail "timer has no first trigger (OnUnitActiveSec= alone never fires)"
[[ $failures -eq 0 ]] && echo "units: every required directive is present"

if ! command -v systemd-analyze >/dev/null; then
  echo "SKIP: systemd-analyze is not installed; checked the directives only"
  [[ $failures -eq 0 ]] && exit 77
  exit 1
fi

# verify wants ExecStart= to name an existing executable: point it at the build.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$units"/homectl.service "$units"/homectl-watchdog.service "$units"/homectl-watchdog.timer "$work/"
sed -i "s|/usr/local/bin/homectl|$homectl|" "$work"/*.service
man_option=--man=no
if command -v man >/dev/null && [[ -f $src/man/homectl.1 && -f $src/man/homectl.json.5 ]]; then
  # Documentation= must name pages that exist: ours, found through MANPATH.
  mkdir -p "$work/man/man1" "$work/man/man5"
  cp "$src/man/homectl.1" "$work/man/man1/"
  cp "$src/man/homectl.json.5" "$work/man/man5/"
  export MANPATH=$work/man:
  man_option=--man=yes
fi
(cd "$work" && systemd-analyze verify "$man_option" ./homectl.service \
  ./homectl-watchdog.service ./homectl-watchdog.timer) >"$work/verify.log" 2>&1
if [[ -s $work/verify.log ]]; then
  cat "$work/verify.log"
  fail "systemd-analyze verify complained about the units"
else
  echo "units: systemd-analyze verify $man_option is clean"
fi

for unit in homectl.service homectl-watchdog.service; do
  out=$(cd "$work" && systemd-analyze security --offline=yes "./$unit" 2>&1)
  score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$out")
  if [[ -z $score ]]; then
    echo "$out" | tail -5
    fail "no exposure score for $unit"
    continue
  fi
  echo "units: $unit exposure score $score (must be below 3.0)"
  awk -v s="$score" 'BEGIN { exit !(s < 3.0) }' || fail "$unit exposure $score is not below 3.0"
done
exit $((failures > 0))
