#!/usr/bin/env bash
# tests/virtual_mic.sh — voicejournal's own virtual microphone for tests (no sound card needed).
#
# Works on a fresh Debian 12 machine as root with no /dev/snd. A private PulseAudio
# daemon has a null sink "vmic_sink" whose monitor is remapped into the source "vmic",
# the default input. /etc/asound.conf routes ALSA's "default" PCM to PulseAudio, so
# PortAudio/sounddevice's default input records whatever `play FILE` plays.
# (Adapted from the team's shared virtual-mic recipe.)
#
#   bash tests/virtual_mic.sh install        apt-get the packages (idempotent, quiet)
#   bash tests/virtual_mic.sh start          start daemon + virtual mic (idempotent); prints env
#   bash tests/virtual_mic.sh play FILE...   play WAV/FLAC/OGG file(s) into the mic (blocks until done)
#   bash tests/virtual_mic.sh say TEXT...    speak TEXT into the mic (espeak-ng)
#   bash tests/virtual_mic.sh check          self-test: record from ALSA "default" while playing a tone
#   bash tests/virtual_mic.sh status         show state (exit 0 running, 3 not running)
#   bash tests/virtual_mic.sh env            print the export lines (same as start prints)
#   bash tests/virtual_mic.sh stop           stop the daemon and remove the config files it wrote
#
# Environment: VIRTUAL_MIC_DIR (default $TMPDIR/voicejournal-vmic, TMPDIR defaulting to /tmp),
# VIRTUAL_MIC_RATE (sink/source rate, default 48000), VIRTUAL_MIC_RESAMPLE (the daemon's
# --resample-method, default auto), VIRTUAL_MIC_PRIVATE=1 (leave /etc alone: a
# second, private microphone that only clients with its PULSE_SERVER use; the test session runs one so
# that test runs side by side never hear each other). Start prints `export PULSE_SERVER=...` on
# stdout (all logging goes to stderr), so `eval "$(bash tests/virtual_mic.sh start)"` works;
# as root the export is optional because a client.conf.d file is written too.
set -euo pipefail

VMIC_DIR="${VIRTUAL_MIC_DIR:-${TMPDIR:-/tmp}/voicejournal-vmic}"
SOCK="$VMIC_DIR/native"
SERVER="unix:$SOCK"
PIDFILE="$VMIC_DIR/runtime/pid"
LOG="$VMIC_DIR/pulseaudio.log"
RATE="${VIRTUAL_MIC_RATE:-48000}"
RESAMPLE="${VIRTUAL_MIC_RESAMPLE:-auto}"
SINK=vmic_sink
SOURCE=vmic
# Without a permanent low-latency client, an idle null sink renders in ~2 s
# blocks and a new recorder gets NO data for up to ~2 s (seen: PortAudio
# callbacks only started when something was played). A silent loopback
# (null source -> vmic_sink, 60 ms) keeps it rendering in ~20 ms blocks.
KEEPALIVE=vmic_keepalive
CLIENT_CONF=/etc/pulse/client.conf.d/99-voicejournal-vmic.conf
ASOUND_CONF=/etc/asound.conf
MARK="# managed by voicejournal tests/virtual_mic.sh (removed by its 'stop')"
PKGS=(pulseaudio pulseaudio-utils libasound2-plugins libportaudio2 alsa-utils sox espeak-ng)

log() { printf 'virtual_mic.sh: %s\n' "$*" >&2; }
die() { printf 'virtual_mic.sh: error: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }
pa() { PULSE_SERVER="$SERVER" "$@"; }
alive() { pa timeout 5 pactl info >/dev/null 2>&1; }

missing_pkgs() {
  local p
  for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

cmd_install() {
  local need
  need=$(missing_pkgs)
  if [ -z "$need" ]; then log "packages already installed"; return 0; fi
  is_root || die "need root to install: ${need//$'\n'/ }"
  log "installing: ${need//$'\n'/ }"
  local apt=(apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0 -y -qq)
  local alog="$VMIC_DIR/apt.log"
  mkdir -p "$VMIC_DIR"
  export DEBIAN_FRONTEND=noninteractive
  # Try without 'update' first (fast, offline-safe); refresh the lists if that fails.
  # shellcheck disable=SC2086
  if ! "${apt[@]}" install --no-install-recommends $need </dev/null >"$alog" 2>&1; then
    "${apt[@]}" update </dev/null >>"$alog" 2>&1 || { tail -n 20 "$alog" >&2; die "apt-get update failed (log: $alog)"; }
    # shellcheck disable=SC2086
    "${apt[@]}" install --no-install-recommends $need </dev/null >>"$alog" 2>&1 \
      || { tail -n 20 "$alog" >&2; die "apt-get install failed (log: $alog)"; }
  fi
  need=$(missing_pkgs)
  [ -z "$need" ] || die "still missing after install: $need"
  log "installed"
}

write_configs() {
  [ "${VIRTUAL_MIC_PRIVATE:-0}" = 1 ] && return 0
  is_root || { log "not root: skipping $CLIENT_CONF and $ASOUND_CONF; export PULSE_SERVER as printed below"; return 0; }
  mkdir -p "$(dirname "$CLIENT_CONF")"
  printf '%s\ndefault-server = %s\nautospawn = no\n' "$MARK" "$SERVER" >"$CLIENT_CONF"
  if [ -e "$ASOUND_CONF" ] && ! grep -qF "$MARK" "$ASOUND_CONF"; then
    log "$ASOUND_CONF exists and is not ours: leaving it (Debian's pulse hook still routes 'default' to PulseAudio)"
  else
    cat >"$ASOUND_CONF" <<EOF
$MARK
# Route ALSA's default PCM/mixer to PulseAudio (alsa pulse plugin, libasound2-plugins).
pcm.!default {
    type pulse
    hint { show on description "Default ALSA device (via PulseAudio virtual mic)" }
}
ctl.!default {
    type pulse
}
EOF
  fi
}

remove_configs() {
  [ "${VIRTUAL_MIC_PRIVATE:-0}" = 1 ] && return 0
  local f
  for f in "$CLIENT_CONF" "$ASOUND_CONF"; do
    if [ -f "$f" ] && grep -qF "$MARK" "$f"; then rm -f "$f"; fi
  done
}

print_env() {
  echo "export PULSE_SERVER=$SERVER"
}

ensure_modules() {
  # Repair an already-running daemon that lost its modules (idempotent start).
  pa pactl list short sinks 2>/dev/null | awk '{print $2}' | grep -qx "$SINK" \
    || pa pactl load-module module-null-sink sink_name=$SINK rate="$RATE" channels=1 \
         sink_properties=device.description=Virtual_Mic_Sink >/dev/null
  pa pactl list short sources 2>/dev/null | awk '{print $2}' | grep -qx "$SOURCE" \
    || pa pactl load-module module-remap-source master=$SINK.monitor source_name=$SOURCE \
         channels=1 channel_map=mono master_channel_map=mono \
         source_properties=device.description=Virtual_Microphone >/dev/null
  pa pactl list short sources 2>/dev/null | awk '{print $2}' | grep -qx "$KEEPALIVE" \
    || pa pactl load-module module-null-source source_name=$KEEPALIVE rate="$RATE" channels=1 \
         description=virtual-mic_keepalive >/dev/null
  pa pactl list short modules 2>/dev/null | grep -q "module-loopback.*source=$KEEPALIVE" \
    || pa pactl load-module module-loopback source=$KEEPALIVE sink=$SINK latency_msec=60 \
         source_dont_move=true sink_dont_move=true >/dev/null
  pa pactl set-default-sink "$SINK"
  pa pactl set-default-source "$SOURCE"
}

daemon_pid() {
  local pid
  [ -f "$PIDFILE" ] || return 1
  pid=$(tr -dc '0-9' <"$PIDFILE")
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = pulseaudio ] && echo "$pid"
}

kill_daemon() {
  local pid _
  pid=$(daemon_pid) || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

wait_flowing() {
  # A freshly created null sink renders a first block of up to ~2 s before it
  # adopts the keepalive's ~20 ms latency; a recorder that connects in that
  # window gets no data until it ends. Probe until 200 ms of audio arrives fast.
  local _ t0 ms
  for _ in $(seq 15); do
    t0=$(date +%s%N)
    timeout 3 bash -c "PULSE_SERVER='$SERVER' parec --raw --format=s16le --rate=16000 --channels=1 \
      --latency-msec=20 -d '$SOURCE' </dev/null 2>/dev/null | head -c 6400 >/dev/null" || true
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    [ "$ms" -lt 600 ] && return 0
  done
  log "warning: $SOURCE still slow to deliver audio (last probe ${ms} ms)"
}

serialise() {
  # Two starts at once (two test runs) would each launch a daemon on the same socket.
  mkdir -p "$(dirname "$VMIC_DIR")"
  exec 9>"$VMIC_DIR.lock"
  flock -w 120 9 || die "another virtual_mic.sh start/stop did not finish within 120 s"
}

cmd_start() {
  serialise
  [ -z "$(missing_pkgs)" ] || cmd_install
  if alive; then
    log "already running (pid $(daemon_pid || echo '?'), server $SERVER)"
  else
    kill_daemon   # ours but unresponsive, or stale files from a killed session
    rm -rf "$VMIC_DIR/runtime" "$SOCK"
    mkdir -p "$VMIC_DIR/runtime" "$VMIC_DIR/state"
    chmod 700 "$VMIC_DIR/runtime" "$VMIC_DIR/state"
    cat >"$VMIC_DIR/virtual-mic.pa" <<EOF
.fail
load-module module-native-protocol-unix auth-anonymous=1 socket=$SOCK
load-module module-null-sink sink_name=$SINK rate=$RATE channels=1 sink_properties=device.description=Virtual_Mic_Sink
load-module module-remap-source master=$SINK.monitor source_name=$SOURCE channels=1 channel_map=mono master_channel_map=mono source_properties=device.description=Virtual_Microphone
load-module module-null-source source_name=$KEEPALIVE rate=$RATE channels=1 description=virtual-mic_keepalive
load-module module-loopback source=$KEEPALIVE sink=$SINK latency_msec=60 source_dont_move=true sink_dont_move=true
set-default-sink $SINK
set-default-source $SOURCE
EOF
    # -n: no default.pa (no udev/alsa card detection, no suspend-on-idle).
    # Root is fine in per-user mode (it only warns); --system is not needed.
    # --disable-shm: audio goes over the socket. With shm/memfd on, a client
    # blocked in stream.read() hung forever (libpulse deadlock in
    # pa_memimport_free) when the daemon was stopped; with it off, it gets an
    # I/O error at once. It also sidesteps small /dev/shm in containers.
    # All fds go to the log so `$(virtual-mic start)` and CI pipes never hang.
    PULSE_RUNTIME_PATH="$VMIC_DIR/runtime" PULSE_STATE_PATH="$VMIC_DIR/state" \
      pulseaudio -n -F "$VMIC_DIR/virtual-mic.pa" --daemonize=yes --disable-shm=yes \
        --resample-method="$RESAMPLE" \
        --exit-idle-time=-1 --disallow-exit --realtime=no --high-priority=no \
        --log-target="file:$LOG" --log-level=notice \
        </dev/null >>"$LOG" 2>&1 \
      || { tail -n 20 "$LOG" >&2; die "pulseaudio failed to start (log: $LOG)"; }
    local _
    for _ in $(seq 100); do alive && break; sleep 0.1; done
    alive || { tail -n 20 "$LOG" >&2; die "pulseaudio started but $SERVER does not answer"; }
    log "started pulseaudio (pid $(daemon_pid || echo '?'), server $SERVER, log $LOG)"
  fi
  ensure_modules
  wait_flowing
  write_configs
  log "default input: $(pa pactl get-default-source) (play into it with: bash tests/virtual_mic.sh play FILE.wav)"
  print_env
}

require_running() { alive || die "not running: run 'bash tests/virtual_mic.sh start' first"; }

cmd_play() {
  [ $# -ge 1 ] || die "usage: virtual_mic.sh play FILE... (WAV/FLAC/OGG; any paplay-readable file)"
  require_running
  local f
  for f in "$@"; do
    [ -r "$f" ] || die "cannot read $f"
    # </dev/null: paplay FILE fails ("Failed to open audio file.") when fd 0 is
    # closed, as it can be under CI with no stdin.
    pa paplay --device="$SINK" --client-name=virtual-mic "$f" </dev/null || die "paplay failed for $f"
  done
}

cmd_say() {
  [ $# -ge 1 ] || die "usage: virtual_mic.sh say TEXT..."
  require_running
  local tmp
  tmp=$(mktemp "${TMPDIR:-/tmp}/virtual-mic-say.XXXXXX.wav")
  local rc=0
  { espeak-ng -w "$tmp" -- "$*" </dev/null \
      && pa paplay --device="$SINK" --client-name=virtual-mic "$tmp" </dev/null; } || rc=$?
  rm -f "$tmp"
  [ "$rc" = 0 ] || die "say failed (rc $rc)"
}

cmd_check() {
  # Record 3 s from ALSA "default" (the PCM PortAudio's default device uses) while
  # a 440 Hz tone plays into the mic; pass if the recording is clearly not silent.
  require_running
  local tmp rec tone rms
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/virtual-mic-check.XXXXXX")
  tone="$tmp/tone.wav"; rec="$tmp/rec.wav"
  sox -n -r 48000 -c 1 -b 16 "$tone" synth 1.5 sine 440 vol 0.5 </dev/null
  pa arecord -q -D default -f S16_LE -r 16000 -c 1 -d 3 "$rec" </dev/null & local arec=$!
  sleep 0.5
  if ! pa paplay --device="$SINK" "$tone" </dev/null; then
    kill "$arec" 2>/dev/null || true; wait "$arec" 2>/dev/null || true; rm -rf "$tmp"
    die "check FAILED: paplay could not play into $SINK"
  fi
  wait "$arec" || { rm -rf "$tmp"; die "check FAILED: arecord -D default failed"; }
  rms=$(sox "$rec" -n stat 2>&1 | awk '/RMS +amplitude/ {print $3}')
  rm -rf "$tmp"
  if awk -v r="${rms:-0}" 'BEGIN { exit !(r > 0.05) }'; then
    echo "virtual_mic.sh check: OK (ALSA default recorded the tone, RMS amplitude $rms)"
  else
    die "check FAILED: ALSA default recorded RMS amplitude ${rms:-?} (expected > 0.05)"
  fi
}

cmd_status() {
  if alive; then
    echo "running: pid $(daemon_pid || echo '?'), server $SERVER, log $LOG"
    echo "default source: $(pa pactl get-default-source)   default sink: $(pa pactl get-default-sink)"
    echo "sources:"; pa pactl list short sources | sed 's/^/  /'
    for f in "$CLIENT_CONF" "$ASOUND_CONF"; do
      if [ -f "$f" ] && grep -qF "$MARK" "$f"; then echo "config: $f (ours)"; fi
    done
    return 0
  fi
  echo "not running (server $SERVER)"
  return 3
}

cmd_stop() {
  local pid
  serialise
  if pid=$(daemon_pid); then
    kill_daemon
    log "stopped pulseaudio (pid $pid)"
  else
    log "not running"
  fi
  rm -rf "$VMIC_DIR/runtime" "$VMIC_DIR/state" "$SOCK" "$VMIC_DIR/virtual-mic.pa"
  remove_configs
}

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

case "${1:-help}" in
  install) shift; cmd_install "$@" ;;
  start)   shift; cmd_start "$@" ;;
  play)    shift; cmd_play "$@" ;;
  say)     shift; cmd_say "$@" ;;
  check)   shift; cmd_check "$@" ;;
  status)  shift; cmd_status "$@" ;;
  env)     shift; print_env ;;
  stop)    shift; cmd_stop "$@" ;;
  help|-h|--help) usage ;;
  *) usage >&2; exit 2 ;;
esac
