#!/usr/bin/env bash
# Makes the local base image the JVM image is built on here: Debian 12 (bookworm) minbase with
# openjdk-17-jre-headless and ca-certificates, imported into Podman as
# localhost/credit-ledger-base:bookworm-jre17. No public image registry is reachable from CI, so
# the Dockerfile's default base (a public JRE image) cannot be pulled; this one is made from Debian
# packages instead, with debootstrap. Does nothing when the image exists already (podman rmi it
# to make it again with the newest packages).
#
# The Debian mirror is the machine's own: the first APT source (one-line .list or deb822 .sources
# under /etc/apt) that serves the suite bookworm; every source of the machine for bookworm,
# bookworm-updates and bookworm-security is used for the JRE, so it gets the security updates.
# Run as root (debootstrap, chroot) after deploy/podman/setup.sh. Takes about a minute.
# Usage: deploy/podman/base-image.sh      Knobs: BASE_IMAGE (the name to make)
set -euo pipefail

BASE_IMAGE=${BASE_IMAGE:-localhost/credit-ledger-base:bookworm-jre17}
SUITE=bookworm
PACKAGES=openjdk-17-jre-headless,ca-certificates

log() { printf '%s base-image: %s\n' "$(date +%T)" "$*" >&2; }
[[ $(id -u) == 0 ]] || { log "run as root (debootstrap and chroot need it)"; exit 2; }
if podman image exists "$BASE_IMAGE"; then
    log "$BASE_IMAGE exists already"
    exit 0
fi

# The machine's APT sources for $SUITE and its -updates and -security suites, as one-line
# "URI SUITE COMPONENTS..." rows (deb entries only; options such as [signed-by=...] dropped).
apt_sources() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f $f ]] || continue
        sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" { $1 = ""; print }'
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f $f ]] || continue
        # deb822: stanzas separated by blank lines; Types, URIs, Suites, Components, Enabled.
        awk '
            function flush() {
                if (types ~ /(^| )deb( |$)/ && enabled != "no")
                    for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) print uris[i], suites[j], comps
                types = ""; comps = ""; enabled = ""; nu = 0; ns = 0
            }
            /^[[:space:]]*#/ { next }
            /^[[:space:]]*$/ { flush(); next }
            {
                field = tolower($1); sub(/:$/, "", field); $1 = ""; sub(/^[[:space:]]+/, "")
                if (field == "types") types = $0
                else if (field == "uris") nu = split($0, uris, /[[:space:]]+/)
                else if (field == "suites") ns = split($0, suites, /[[:space:]]+/)
                else if (field == "components") comps = $0
                else if (field == "enabled") enabled = tolower($0)
            }
            END { flush() }
        ' "$f"
    done
}
SOURCES=$(apt_sources | awk -v s="$SUITE" '$2 == s || $2 == s "-updates" || $2 == s "-security"' | awk '{$1 = $1; print}' | sort -u)
MIRROR=$(awk -v s="$SUITE" '$2 == s && / main( |$)/ { print $1; exit }' <<<"$SOURCES")
[[ -n $MIRROR ]] || { log "no APT source under /etc/apt serves $SUITE main: cannot choose a mirror for debootstrap"; exit 1; }

ROOT=$(mktemp -d /var/tmp/credit-ledger-base.XXXXXX)
chmod 755 "$ROOT"   # a root directory: APT's download user must get in
cleanup() {
    local status=$?
    set +e
    mountpoint -q "$ROOT/proc" && umount "$ROOT/proc"
    if mountpoint -q "$ROOT/proc"; then
        log "$ROOT/proc is still mounted; leaving $ROOT in place"
    else
        rm -rf --one-file-system "$ROOT"
        rm -f "$ROOT.debootstrap.log"
    fi
    exit "$status"
}
trap cleanup EXIT

log "debootstrap --variant=minbase $SUITE from $MIRROR"
debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1 \
    || { cat "$ROOT.debootstrap.log" >&2; rm -f "$ROOT.debootstrap.log"; log "FAILED: debootstrap"; exit 1; }
rm -f "$ROOT.debootstrap.log"

awk '{ $1 = "deb " $1; print }' <<<"$SOURCES" >"$ROOT/etc/apt/sources.list"
mount -t proc proc "$ROOT/proc"   # the JRE's install runs java (the CA certificates' keystore)
log "installing ${PACKAGES//,/ } (--no-install-recommends)"
chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive bash -euc "
    apt-get update -q >/dev/null
    apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends ${PACKAGES//,/ } >/dev/null
    apt-get clean
    java -version 2>&1 | head -1
    dpkg-query -W -f '\${Package} \${Version}\n' openjdk-17-jre-headless
"
umount "$ROOT/proc"
rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/*.bin "$ROOT"/var/cache/debconf/*-old \
       "$ROOT"/var/log/apt/* "$ROOT"/var/log/dpkg.log "$ROOT"/tmp/* "$ROOT"/root/.cache

log "importing as $BASE_IMAGE"
tar --numeric-owner -C "$ROOT" -c . | podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' \
    --message "debootstrap --variant=minbase $SUITE + ${PACKAGES//,/ }" \
    - "$BASE_IMAGE" >/dev/null
log "made $BASE_IMAGE ($(podman image inspect --format '{{.Size}}' "$BASE_IMAGE" | awk '{ printf "%d MB", $1 / 1e6 }'))"
