#!/bin/sh
# Make sure a Docker engine answers: install Debian's docker.io and start dockerd when none does.
# Idempotent; needs root only when it has something to install or start.
set -eu
if docker info >/dev/null 2>&1; then exit 0; fi
if ! command -v dockerd >/dev/null 2>&1; then
    echo "installing the Docker engine from Debian (docker.io)" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi
echo "starting dockerd (log: /var/log/klearct-dockerd.log)" >&2
nohup dockerd >/var/log/klearct-dockerd.log 2>&1 &
for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then exit 0; fi
    sleep 1
done
echo "dockerd did not answer within 60 s:" >&2
tail -20 /var/log/klearct-dockerd.log >&2 || true
exit 1
