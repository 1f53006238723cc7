; Inno Setup 6 script: per-user install of the PyInstaller folder, no admin rights.
;
;   iscc /DAppVersion=0.1.0 packaging\windows\labtunnel.iss
;
; Expects dist\LabTunnel\ (python -m PyInstaller packaging\labtunnel.spec) and the icon
; build\icons\labtunnel.ico made during that build. Writes
; dist\LabTunnel-<version>-setup.exe. The workflow signs the exes before and setup.exe
; after this step when a certificate is configured (.github/workflows/build.yml).

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "LabTunnel"
#define AppExe "LabTunnel.exe"
#define Root "..\.."

[Setup]
AppId={{6F1C2B8E-4E0B-4D55-9B7A-2C1E7D8A5F31}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
; per user: %LOCALAPPDATA%\Programs, HKCU, the user's Start menu; never asks for admin
PrivilegesRequired=lowest
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#Root}\dist
OutputBaseFilename={#AppName}-{#AppVersion}-setup
SetupIconFile={#Root}\build\icons\labtunnel.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
ShowLanguageDialog=auto
; a running tray app would keep its files locked
CloseApplications=yes
RestartApplications=no

; The wizard speaks Simplified Chinese on a Chinese Windows, as the app does. Inno Setup
; ships that translation in Languages\ (official since 6.5) or, in older releases, only
; among its unofficial ones: the installer takes it where the compiler has it, and says
; so when it does not (the workflow turns that line into a visible warning).
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
  #define ChineseMessages "compiler:Languages\ChineseSimplified.isl"
#elif FileExists(AddBackslash(CompilerPath) + "Languages\Unofficial\ChineseSimplified.isl")
  #define ChineseMessages "compiler:Languages\Unofficial\ChineseSimplified.isl"
#else
  #pragma message "LabTunnel: no ChineseSimplified.isl in this Inno Setup: English-only installer"
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
#ifdef ChineseMessages
Name: "chinesesimplified"; MessagesFile: "{#ChineseMessages}"
#endif

[CustomMessages]
english.StartAtLogin=Start %1 when I log in
#ifdef ChineseMessages
chinesesimplified.StartAtLogin=登录时启动 %1
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "startup"; Description: "{cm:StartAtLogin,{#AppName}}"; Flags: unchecked

[Files]
Source: "{#Root}\dist\{#AppName}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#Root}\LICENSE"; DestDir: "{app}"; DestName: "LICENSE.txt"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; the same value the app's "Launch at login" switch writes (labtunnel.core.autostart.windows)
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "{#AppName}"; ValueData: """{app}\{#AppExe}"""; Tasks: startup; Flags: uninsdeletevalue
; double-clicking a lab profile file opens it in LabTunnel (HKA = HKCU for a per-user install)
Root: HKA; Subkey: "Software\Classes\.labtunnel"; ValueType: string; ValueName: ""; ValueData: "LabTunnel.LabProfile"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\LabTunnel.LabProfile"; ValueType: string; ValueName: ""; ValueData: "LabTunnel lab profile"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\LabTunnel.LabProfile\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\LabTunnel.LabProfile\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
// The switch in the tray may have set the Run value even without the "startup" task:
// an uninstalled app must not be started at the next login.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
    RegDeleteValue(HKEY_CURRENT_USER, 'Software\Microsoft\Windows\CurrentVersion\Run', '{#AppName}');
end;
