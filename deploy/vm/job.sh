# The package under real systemd: a job for the VM bench's run-job.sh, which is kept outside the
# repository (outside CI; README "Building the Debian package"). Put the .deb beside this file in
# the job directory. Runs inside the Debian 13 VM as root: install, READY, watchdog, reload, kill -9, Node Control/Reboot, purge.
set -u
fail=0
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi; }
waitfor() { for _ in $(seq 1 "$1"); do eval "$2" && return 0; sleep 1; done; return 1; }
node --version
dpkg -i /job/sparkplug-gateway_*.deb; echo "dpkg -i rc=$?"
check "user created" "id sparkplug-gateway"
check "unit enabled" "systemctl is-enabled --quiet sparkplug-gateway"
# A simulator tag file in the devices directory, as a user provisions one.
sim_device() {
  cat > "/etc/sparkplug-gateway/devices/$(echo "$1" | tr 'A-Z' 'a-z').yaml" <<DEV
device: $1
driver: simulator
connection: {}
poll: 200ms
tags:
  - { name: Counter, signal: counter, period: 200ms }
DEV
}
sim_device Sim1
mosquitto_sub -v -t 'spBv1.0/#' > /job/sub.txt 2>&1 &
sub=$!
sleep 1
systemctl restart sparkplug-gateway
check "active after restart" "waitfor 60 'systemctl is-active --quiet sparkplug-gateway'"
check "READY reached (Type=notify started)" "waitfor 60 \"systemctl show -p StatusText --value sparkplug-gateway | grep -q 'upstream connected'\""
systemctl show -p StatusText -p WatchdogUSec -p NRestarts -p MainPID sparkplug-gateway
check "DDATA of Sim1 on the broker" "waitfor 60 \"grep -q 'DDATA/Gateway1/Sim1' /job/sub.txt\""
check "watchdog set" "systemctl show -p WatchdogUSec --value sparkplug-gateway | grep -q 30s"
sleep 40
check "still active after 40 s (watchdog pinged)" "systemctl is-active --quiet sparkplug-gateway"
check "no restart so far" "[ \"\$(systemctl show -p NRestarts --value sparkplug-gateway)\" = 0 ]"
sim_device Sim2
pid=$(systemctl show -p MainPID --value sparkplug-gateway)
systemctl reload sparkplug-gateway; echo "reload rc=$?"
check "DBIRTH of the added device after reload" "waitfor 30 \"grep -q 'DBIRTH/Gateway1/Sim2' /job/sub.txt\""
check "same process after reload" "[ \"\$(systemctl show -p MainPID --value sparkplug-gateway)\" = $pid ]"
kill -9 "$pid"
check "restarted after kill -9" "waitfor 30 \"[ \\\"\\\$(systemctl show -p NRestarts --value sparkplug-gateway)\\\" = 1 ] && systemctl is-active --quiet sparkplug-gateway\""
pid=$(systemctl show -p MainPID --value sparkplug-gateway)
sparkplug-gateway cmd --broker mqtt://127.0.0.1:1883 --group Plant1 --node Gateway1 'Node Control/Reboot=true' --timeout 20; echo "cmd rc=$?"
check "restarted after Node Control/Reboot" "waitfor 40 \"[ \\\"\\\$(systemctl show -p MainPID --value sparkplug-gateway)\\\" != $pid ] && systemctl is-active --quiet sparkplug-gateway\""
check "state directory 0700 owned by the service user" "[ \"\$(stat -c '%a %U' /var/lib/sparkplug-gateway)\" = '700 sparkplug-gateway' ]"
check "runtime directory 0700 owned by the service user" "[ \"\$(stat -c '%a %U' /run/sparkplug-gateway)\" = '700 sparkplug-gateway' ]"
# A state directory that turned read-only (a worn SD card remounted ro), the broker away: the
# buffer goes to the runtime directory, which outlives a restart of the service.
systemctl stop mosquitto
mount --bind /var/lib/sparkplug-gateway /var/lib/sparkplug-gateway && mount -o remount,bind,ro /var/lib/sparkplug-gateway
systemctl restart sparkplug-gateway
check "starts on a read-only state directory" "waitfor 60 'systemctl is-active --quiet sparkplug-gateway'"
check "buffer kept in the runtime directory" "waitfor 30 'ls /run/sparkplug-gateway/*/buffer-spill.db >/dev/null 2>&1'"
spilled=$(ls /run/sparkplug-gateway/*/buffer-spill.db 2>/dev/null | head -1)
systemctl restart sparkplug-gateway
check "runtime buffer kept across a restart of the service (RuntimeDirectoryPreserve)" "[ -n \"$spilled\" ] && [ -e \"$spilled\" ]"
# The service's working directory is the state directory: it holds the mount while it runs.
systemctl stop sparkplug-gateway
umount /var/lib/sparkplug-gateway
systemctl start mosquitto
systemctl start sparkplug-gateway
check "state directory writable again: the runtime buffer moved into the buffer file (and deleted)" "[ -n \"$spilled\" ] && waitfor 60 \"[ ! -e '$spilled' ]\""
journalctl -u sparkplug-gateway --no-pager | tail -40
kill $sub
dpkg --purge sparkplug-gateway; echo "purge rc=$?"
check "state deleted on purge" "[ ! -e /var/lib/sparkplug-gateway ]"
check "user's config kept on purge" "[ -e /etc/sparkplug-gateway/devices/sim1.yaml ]"
exit $fail
