#!/usr/bin/env bash
# Makes this machine able to build and run the container image with Podman (run as root, once;
# running it again changes nothing). It:
#   - installs those of Debian's podman, runc, buildah, debootstrap, fuse-overlayfs, slirp4netns,
#     uidmap and containernetworking-plugins that are missing, with apt-get (the versions of the
#     machine's Debian release: bookworm ships Podman 4.3);
#   - adds to /etc/containers/containers.conf the settings these machines need, each only where the
#     file does not set that key already (other settings in the file are kept as they are):
#       [containers] default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
#                    (Podman's default, 1048576 open files, is above these machines' hard limit,
#                    20000, and a container asking for more than the limit does not start)
#       [engine]     runtime = "runc"
#                    cgroup_manager = "cgroupfs"   (no systemd here to manage cgroups)
#                    events_logger = "file"        (no journald either)
#                    (Podman 4.3 picks these three by itself on these machines today; they are
#                    written down so that it does not depend on what else gets installed)
# Usage: deploy/podman/setup.sh
set -euo pipefail

log() { printf 'setup: %s\n' "$*" >&2; }
[[ $(id -u) == 0 ]] || { log "run as root (it installs packages and writes /etc/containers)"; exit 2; }

PACKAGES=(podman runc buildah debootstrap fuse-overlayfs slirp4netns uidmap containernetworking-plugins)
missing=()
for p in "${PACKAGES[@]}"; do
    [[ $(dpkg-query -W -f '${Status}' "$p" 2>/dev/null) == "install ok installed" ]] || missing+=("$p")
done
if (( ${#missing[@]} > 0 )); then
    log "installing ${missing[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

CONF=${CONTAINERS_CONF:-/etc/containers/containers.conf}   # podman reads $CONTAINERS_CONF instead when set
mkdir -p "$(dirname "$CONF")"
touch "$CONF"

# set_default SECTION KEY VALUE: writes KEY = VALUE into [SECTION] of $CONF unless that section
# already sets KEY; adds the section at the end when the file has none.
set_default() {
    local section=$1 key=$2 value=$3 current tmp
    current=$(awk -v s="[$section]" -v k="$key" '
        /^[[:space:]]*\[/ { gsub(/[[:space:]]/, ""); in_s = ($0 == s); next }
        in_s && $0 ~ "^[[:space:]]*" k "[[:space:]]*=" { sub(/^[^=]*=[[:space:]]*/, ""); print; exit }
    ' "$CONF")
    if [[ -n $current ]]; then
        [[ $current == "$value" ]] || log "keeping [$section] $key = $current in $CONF (this setup would use $value)"
        return
    fi
    tmp=$(mktemp "$CONF.XXXXXX")
    if grep -Eq "^[[:space:]]*\[$section\][[:space:]]*$" "$CONF"; then
        awk -v s="[$section]" -v line="$key = $value" '
            { print }
            /^[[:space:]]*\[/ { h = $0; gsub(/[[:space:]]/, "", h); if (h == s && !done) { print line; done = 1 } }
        ' "$CONF" >"$tmp"
    else
        { cat "$CONF"; [[ -s $CONF ]] && echo; printf '[%s]\n%s = %s\n' "$section" "$key" "$value"; } >"$tmp"
    fi
    chmod 644 "$tmp"
    mv "$tmp" "$CONF"
    log "set [$section] $key = $value in $CONF"
}
set_default containers default_ulimits '["nofile=20000:20000", "nproc=32768:32768"]'
set_default engine runtime '"runc"'
set_default engine cgroup_manager '"cgroupfs"'
set_default engine events_logger '"file"'

podman version --format 'setup: podman {{.Client.Version}}' >&2
