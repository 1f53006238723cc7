#!/usr/bin/env bash
# Seal dist/LabTunnel.app, put it in a disk image with an Applications shortcut, then sign,
# notarize and staple the image:
#
#   bash packaging/macos/sign_and_notarize.sh     # writes dist/LabTunnel-<version>-macos-arm64.dmg
#
# Environment (all optional; without them the app stays ad-hoc signed and the image is
# neither signed nor notarized, and the script says so):
#   LABTUNNEL_CODESIGN_IDENTITY   "Developer ID Application: Lab Name (TEAMID)" in the keychain
#   LABTUNNEL_NOTARY_PROFILE      a keychain profile made with `xcrun notarytool store-credentials`
#   or APPLE_API_KEY_PATH (the .p8 file) + APPLE_API_KEY_ID + APPLE_API_ISSUER (App Store
#   Connect API key): no password ever goes on a command line
# The disk image opens as a window with LabTunnel and an Applications folder: dragging
# the app there is what keeps macOS from running it from a randomized, read-only place
# (App Translocation), where "Launch at login" could not work.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
APP="$ROOT/dist/LabTunnel.app"
ENTITLEMENTS="$ROOT/packaging/macos/entitlements.plist"
[[ -d "$APP" ]] || { echo "no $APP: build it with PyInstaller first" >&2; exit 1; }
VERSION="$(/usr/libexec/PlistBuddy -c 'Print CFBundleShortVersionString' "$APP/Contents/Info.plist")"
DMG="$ROOT/dist/LabTunnel-$VERSION-macos-arm64.dmg"
IDENTITY="${LABTUNNEL_CODESIGN_IDENTITY:-}"

if [[ -n "$IDENTITY" ]]; then
    # PyInstaller signed every binary; the bundle itself is sealed last, without --deep
    codesign --force --timestamp --options runtime --entitlements "$ENTITLEMENTS" \
        --sign "$IDENTITY" "$APP"
    codesign --verify --strict --verbose=2 "$APP"
fi

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
ditto "$APP" "$staging/LabTunnel.app"
ln -s /Applications "$staging/Applications"
rm -f "$DMG"
hdiutil create -volname "LabTunnel $VERSION" -srcfolder "$staging" -fs HFS+ \
    -format UDZO -ov "$DMG"

notary=()
if [[ -n "${LABTUNNEL_NOTARY_PROFILE:-}" ]]; then
    notary=(--keychain-profile "$LABTUNNEL_NOTARY_PROFILE")
elif [[ -n "${APPLE_API_KEY_PATH:-}" && -n "${APPLE_API_KEY_ID:-}" && -n "${APPLE_API_ISSUER:-}" ]]; then
    notary=(--key "$APPLE_API_KEY_PATH" --key-id "$APPLE_API_KEY_ID" --issuer "$APPLE_API_ISSUER")
fi

if [[ -z "$IDENTITY" ]]; then
    echo "not signed or notarized (no LABTUNNEL_CODESIGN_IDENTITY): $DMG"
    exit 0
fi
codesign --force --timestamp --sign "$IDENTITY" "$DMG"
if ((${#notary[@]} == 0)); then
    echo "signed, not notarized (no notary credentials): $DMG"
    exit 0
fi
# notarizing the image covers the app inside; the ticket is stapled to the image, so
# Gatekeeper can check it offline
xcrun notarytool submit "$DMG" "${notary[@]}" --wait
xcrun stapler staple "$DMG"
xcrun stapler validate "$DMG"
spctl --assess --type open --context context:primary-signature --verbose "$DMG"
echo "signed, notarized and stapled: $DMG"
