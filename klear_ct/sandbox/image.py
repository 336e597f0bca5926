"""Building the sandbox image: the tag follows the content, so a changed runner means a new image."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from klear_ct.sandbox.base import SandboxError

PACKAGE_DIR = Path(__file__).resolve().parent
IMAGES_DIR = PACKAGE_DIR.parents[1] / "sandbox_images"
RUNNER = PACKAGE_DIR / "runner.py"
SPAWN_HELPER_SOURCE = PACKAGE_DIR / "spawn.c"
CONTEXT_FILES = {"Dockerfile": IMAGES_DIR / "Dockerfile", "runner.py": RUNNER, "spawn.c": SPAWN_HELPER_SOURCE,
                 "testlib.h": IMAGES_DIR / "testlib.h"}
BOOTSTRAP_SCRIPT = IMAGES_DIR / "bootstrap-base.sh"
REGISTRY_BASE = "debian:bookworm-slim"
REPOSITORY = "klearct/sandbox"


def offline_base_tag() -> str:
    """The offline base is named after the script that makes it: another package list, another base."""
    digest = hashlib.sha256(BOOTSTRAP_SCRIPT.read_bytes()).hexdigest()[:12] if BOOTSTRAP_SCRIPT.exists() else "none"
    return f"klearct/base:bookworm-{digest}"


def image_tag() -> str:
    digest = hashlib.sha256()
    for name, path in sorted(CONTEXT_FILES.items()):
        if not path.exists():
            raise SandboxError(f"{path} is missing: klearct's sandbox image is built from a source checkout")
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{REPOSITORY}:{digest.hexdigest()[:12]}"


def bootstrap_base(tag: str) -> None:
    """Make the base image from Debian's mirror with debootstrap (no registry needed)."""
    if shutil.which("debootstrap") is None:
        raise SandboxError("debootstrap is not installed (apt-get install debootstrap)")
    done = subprocess.run(["sh", str(BOOTSTRAP_SCRIPT), tag], capture_output=True, text=True)
    if done.returncode != 0:
        raise SandboxError(f"bootstrapping the base image failed:\n{done.stderr[-2000:]}")


def build_image(client, base_image: str | None = None, offline: bool = False,
                log: Callable[[str], None] = lambda line: None) -> str:
    """Build the sandbox image (bootstrapping the base when offline) and return its tag."""
    import docker.errors

    tag = image_tag()
    base = base_image or (offline_base_tag() if offline else REGISTRY_BASE)
    if offline:
        try:
            client.images.get(base)
        except docker.errors.ImageNotFound:
            log(f"bootstrapping {base} from Debian's mirror (about a minute)")
            bootstrap_base(base)
    with tempfile.TemporaryDirectory(prefix="klearct-image-") as context:
        for name, path in CONTEXT_FILES.items():
            shutil.copyfile(path, Path(context) / name)
        try:
            for chunk in client.api.build(path=context, tag=tag, buildargs={"BASE_IMAGE": base}, rm=True,
                                          forcerm=True, decode=True, network_mode="none" if offline else None):
                if "error" in chunk:
                    raise SandboxError(f"docker build failed: {chunk['error'].strip()}")
                if chunk.get("stream", "").strip():
                    log(chunk["stream"].rstrip())
        except docker.errors.APIError as e:
            raise SandboxError(f"docker build failed: {e}") from e
    client.images.get(tag).tag(REPOSITORY, "latest")
    return tag


def require_image(client) -> str:
    import docker.errors

    tag = image_tag()
    try:
        client.images.get(tag)
    except docker.errors.ImageNotFound:
        raise SandboxError(f"the sandbox image {tag} is not built (it changes with the runner): "
                           "run `klearct sandbox build` (or `--offline` without a registry)") from None
    return tag
