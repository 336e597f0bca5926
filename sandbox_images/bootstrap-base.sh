#!/bin/sh
# Build the sandbox's base image from Debian's mirror, for machines with no registry.
# Usage: bootstrap-base.sh TAG   (needs root, debootstrap and a running Docker engine; klearct names
# the tag after this file's content, so a changed package list makes a new base)
set -eu
tag="${1:?usage: bootstrap-base.sh TAG}"
suite="${KLEARCT_DEBIAN_SUITE:-bookworm}"
rootfs="$(mktemp -d /var/tmp/klearct-rootfs.XXXXXX)"
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase --include=python3,pypy3,g++,libc6-dev,musl-tools,openjdk-17-jdk-headless "$suite" "$rootfs" >&2
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | docker import - "$tag"
