#!/usr/bin/env bash
# Sign (if the spec did not), notarize and staple dist/LabTunnel.app, then zip it.
#
# Environment (all optional; without them the app stays ad-hoc signed and is only zipped):
#   LABTUNNEL_CODESIGN_IDENTITY   "Developer ID Application: Lab Name (TEAMID)" in the keychain
#   LABTUNNEL_NOTARY_PROFILE      a keychain profile made with `xcrun notarytool store-credentials`
#   or APPLE_API_KEY_PATH (the .p8 file) + APPLE_API_KEY_ID + APPLE_API_ISSUER (App Store
#   Connect API key): no password ever goes on a command line
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
APP="$ROOT/dist/LabTunnel.app"
ZIP="$ROOT/dist/LabTunnel-macos.zip"
ENTITLEMENTS="$ROOT/packaging/macos/entitlements.plist"
[[ -d "$APP" ]] || { echo "no $APP: build it with PyInstaller first" >&2; exit 1; }

if [[ -n "${LABTUNNEL_CODESIGN_IDENTITY:-}" ]]; then
    # PyInstaller signed every binary; the bundle itself is sealed last, without --deep
    codesign --force --timestamp --options runtime --entitlements "$ENTITLEMENTS" \
        --sign "$LABTUNNEL_CODESIGN_IDENTITY" "$APP"
    codesign --verify --strict --verbose=2 "$APP"
fi

ditto -c -k --sequesterRsrc --keepParent "$APP" "$ZIP"

notary=()
if [[ -n "${LABTUNNEL_NOTARY_PROFILE:-}" ]]; then
    notary=(--keychain-profile "$LABTUNNEL_NOTARY_PROFILE")
elif [[ -n "${APPLE_API_KEY_PATH:-}" && -n "${APPLE_API_KEY_ID:-}" && -n "${APPLE_API_ISSUER:-}" ]]; then
    notary=(--key "$APPLE_API_KEY_PATH" --key-id "$APPLE_API_KEY_ID" --issuer "$APPLE_API_ISSUER")
fi
if [[ -n "${LABTUNNEL_CODESIGN_IDENTITY:-}" && ${#notary[@]} -gt 0 ]]; then
    xcrun notarytool submit "$ZIP" "${notary[@]}" --wait
    xcrun stapler staple "$APP"
    spctl --assess --type execute --verbose "$APP"
    rm -f "$ZIP"
    ditto -c -k --sequesterRsrc --keepParent "$APP" "$ZIP"
    echo "notarized and stapled: $ZIP"
else
    echo "not notarized (no identity or notary credentials): $ZIP"
fi
