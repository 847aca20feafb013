#!/usr/bin/env bash
# scripts/ensure-browser.sh: finds system Chromium (browser WebGPU on SwiftShader) and Mesa's EGL/llvmpipe (Dawn in Node); installs them with apt as root, never downloads a browser.
set -euo pipefail

# libegl-dev: Dawn opens the unversioned libEGL.so, which only the -dev package links.
PACKAGES="chromium libegl1 libegl-dev libegl-mesa0 libgl1-mesa-dri"

find_chrome() {
  if [ -n "${CHROME_PATH:-}" ]; then [ -x "$CHROME_PATH" ] && echo "$CHROME_PATH"; return; fi
  [ -x /usr/bin/chromium ] && { echo /usr/bin/chromium; return; }
  command -v chromium || command -v google-chrome || command -v google-chrome-stable || command -v chromium-browser
}

have_lib() { { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q "$1"; }

have_mesa() { have_lib 'libEGL\.so (' && have_lib 'libEGL_mesa\.so\.0' && ls /usr/lib/*/dri/swrast_dri.so >/dev/null 2>&1; }

ready() { find_chrome >/dev/null && have_mesa; }

if ! ready; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing $PACKAGES with apt-get ..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq $PACKAGES >/dev/null
  fi
  if ! ready; then
    find_chrome >/dev/null || echo "Missing: Chromium/Chrome${CHROME_PATH:+ (CHROME_PATH=$CHROME_PATH is not executable)}" >&2
    have_mesa || echo "Missing: Mesa EGL with the llvmpipe driver (for WebGPU in Node)" >&2
    echo "Install them: sudo apt-get install $PACKAGES (or set CHROME_PATH to a Chrome/Chromium binary)" >&2
    exit 1
  fi
fi

echo "CHROME_PATH=$(find_chrome)"
