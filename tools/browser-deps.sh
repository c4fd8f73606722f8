#!/bin/sh
# What the browser tests (tests/browser/) need beside ./.venv, installed if absent:
#   - Debian's chromium, driven by Playwright from PyPI (never a browser Playwright downloads);
#   - axe-core from npm, the accessibility checker the tests inject into each page.
# Idempotent: a second run installs nothing. Run by the tests' fixture and by `make browser-deps`.
set -eu
AXE_VERSION=4.10.3
DIR=${1:-.venv/browser}

if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
        echo "browser-deps: chromium is missing; install Debian's package: sudo apt-get install chromium" >&2
        exit 1
    fi
    echo "browser-deps: installing Debian's chromium" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >&2
fi

if [ ! -f "$DIR/node_modules/axe-core/axe.min.js" ]; then
    echo "browser-deps: installing axe-core $AXE_VERSION from npm into $DIR" >&2
    mkdir -p "$DIR"
    npm install --silent --no-audit --no-fund --prefix "$DIR" "axe-core@$AXE_VERSION" >&2
fi
echo "$DIR/node_modules/axe-core/axe.min.js"
